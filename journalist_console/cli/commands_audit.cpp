// audit verify | stats: the record of what the PSD did, and the counts it reports.
#include <cstdio>
#include <map>
#include <memory>

#include "common/io.h"
#include "journalist_console/cli/case_options.h"
#include "journalist_console/core/case_actions.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/cli/commands.h"

namespace sealdrop::console {
namespace {

struct DataOptions {
  CaseCommandOptions c;
  std::string svg;
};

// The audit is a supervisor's to read: an assessor is refused.
Result<SignedIn> SignInSupervisor(const CaseCommandOptions& c) {
  auto in = OpenAndSignIn(c);
  if (!in) return in.error();
  if (auto st = in->session.RequireSupervisor("read the audit"); !st) return st.error();
  return in;
}

int AuditVerify(const DataOptions& o) {
  auto in = SignInSupervisor(o.c);
  if (!in) return Report(in.error());
  auto log = in->store->AuditLog();
  if (!log) return Report(log.error());
  std::string prev(64, '0');
  std::int64_t expected = 1;
  for (const auto& e : *log) {
    std::string problem;
    if (e.seq != expected) problem = "entries are missing before it";
    else if (e.prev != prev) problem = "it does not follow the entry before it";
    else if (AuditHash(e) != e.hash) problem = "it was changed after it was written";
    if (!problem.empty()) {
      std::fprintf(stderr, "sealdrop-console: audit log BROKEN at entry %lld (%s %s): %s\n",
                   static_cast<long long>(e.seq), TerminalSafe(e.at).c_str(),
                   TerminalSafe(e.action).c_str(), problem.c_str());
      return 1;
    }
    prev = e.hash;
    ++expected;
  }
  if (log->empty() || (*log)[0].action != "init") {
    std::fprintf(stderr, "sealdrop-console: audit log BROKEN: it does not start with init\n");
    return 1;
  }
  std::printf("audit log intact: %zu entries, last %s\n", log->size(), prev.substr(0, 16).c_str());
  return 0;
}

int AuditList(const DataOptions& o) {
  auto in = SignInSupervisor(o.c);
  if (!in) return Report(in.error());
  auto log = in->store->AuditLog();
  if (!log) return Report(log.error());
  std::printf("%-6s %-20s %-20s %-14s %-10s %s\n", "SEQ", "AT", "OFFICER", "ACTION", "CASE", "DETAIL");
  for (const auto& e : *log) {
    std::printf("%-6lld %-20s %-20s %-14s %-10s %s\n", static_cast<long long>(e.seq),
                TerminalSafe(e.at).c_str(), TerminalSafe(e.actor).c_str(),
                TerminalSafe(e.action).c_str(), TerminalSafe(e.item.substr(0, 8)).c_str(),
                TerminalSafe(e.detail).c_str());
  }
  return 0;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out.push_back(c);
  }
  return out;
}

// A plain bar chart: reports received per month.
std::string MonthChart(const Counts& months) {
  const int width = 640;
  const int height = 320;
  const int left = 50, bottom = 40, top = 40;
  int peak = 1;
  for (const auto& [m, n] : months) peak = std::max(peak, n);
  const int slots = std::max<int>(1, static_cast<int>(months.size()));
  const int slot = (width - left - 20) / slots;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<title>Reports per month</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  svg += "<text x=\"" + std::to_string(left) + "\" y=\"24\" font-size=\"16\">Reports per month</text>\n";
  const int plot = height - bottom - top;
  svg += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(height - bottom) + "\" x2=\"" +
         std::to_string(width - 10) + "\" y2=\"" + std::to_string(height - bottom) + "\" stroke=\"#0b0c0c\"/>\n";
  int i = 0;
  for (const auto& [month, n] : months) {
    const int h = n * plot / peak;
    const int x = left + i * slot + slot / 6;
    const int w = std::max(2, slot * 2 / 3);
    const int y = height - bottom - h;
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(w) + "\" height=\"" + std::to_string(h) + "\" fill=\"#1d70b8\"><title>" +
           Escape(month) + ": " + std::to_string(n) + "</title></rect>\n";
    svg += "<text x=\"" + std::to_string(x + w / 2) + "\" y=\"" + std::to_string(y - 4) +
           "\" text-anchor=\"middle\">" + std::to_string(n) + "</text>\n";
    svg += "<text x=\"" + std::to_string(x + w / 2) + "\" y=\"" + std::to_string(height - bottom + 16) +
           "\" text-anchor=\"middle\">" + Escape(month) + "</text>\n";
    ++i;
  }
  return svg + "</svg>\n";
}

void PrintCounts(const char* title, const Counts& counts) {
  std::printf("%s\n", title);
  if (counts.empty()) std::printf("  (none)\n");
  for (const auto& [k, n] : counts) std::printf("  %-22s %6d\n", TerminalSafe(k).c_str(), n);
}

int Stats(const DataOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto counted = CountCases(*in->store);
  if (!counted) return Report(counted.error());
  const CaseCounts& n = *counted;
  std::printf("%d report(s), %d follow-up(s), %d with someone at risk\n", n.reports, n.followups, n.urgent);
  PrintCounts("By month:", n.months);
  PrintCounts("By category:", n.categories);
  PrintCounts("By outcome:", n.outcomes);
  PrintCounts("Time from import to first triage:", n.time_to_triage);
  if (n.median_days_to_triage >= 0) {
    std::printf("Median time to triage: %d day(s), over %d triaged report(s)\n", n.median_days_to_triage,
                n.triaged);
  }
  if (!o.svg.empty()) {
    if (auto st = WriteFileAtomically(o.svg, MonthChart(n.months), 0600, /*overwrite=*/false); !st) {
      return Report(st.error());
    }
    std::printf("chart written to %s\n", o.svg.c_str());
  }
  return 0;
}

}  // namespace

void AddAuditCommands(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<DataOptions>();
  auto* audit = app.add_subcommand("audit", "The hash-chained record of every action");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Check that no entry was changed or removed (supervisors)");
  AddCaseCommandOptions(verify, a->c);
  verify->callback([a, &exit_code] { exit_code = AuditVerify(*a); });
  auto l = std::make_shared<DataOptions>();
  auto* list = audit->add_subcommand("list", "Print every entry: when, which officer, what (supervisors)");
  AddCaseCommandOptions(list, l->c);
  list->callback([l, &exit_code] { exit_code = AuditList(*l); });

  auto s = std::make_shared<DataOptions>();
  auto* stats = app.add_subcommand("stats", "Counts by month, category, outcome and time to triage");
  AddCaseCommandOptions(stats, s->c);
  stats->add_option("--svg", s->svg, "Also write a bar chart (SVG) of reports per month");
  stats->callback([s, &exit_code] { exit_code = Stats(*s); });
}

}  // namespace sealdrop::console
