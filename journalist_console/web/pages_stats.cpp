// GET /stats: the counts of `sealdrop-console stats` (core CountCases), each as a bar chart in
// inline SVG (no script, no style attribute: the CSP allows neither) with the same numbers in a
// table beside it as the text equivalent.
#include <algorithm>

#include "journalist_console/core/case_actions.h"
#include "journalist_console/web/console_app.h"

namespace sealdrop::console::web {
namespace {

constexpr int kLabelWidth = 220;
constexpr int kBarSpace = 380;
constexpr int kRowHeight = 26;

PageData Chart(const char* key, const char* title, const char* column, const Counts& counts) {
  int peak = 1;
  for (const auto& [k, n] : counts) peak = std::max(peak, n);
  PageData bars{PageData::type::list};
  int i = 0;
  for (const auto& [label, n] : counts) {
    const int y = i * kRowHeight;
    const int w = std::max(n > 0 ? 2 : 0, n * kBarSpace / peak);
    PageData b;
    b.set("label", label);
    b.set("count", std::to_string(n));
    b.set("text_y", std::to_string(y + 17));
    b.set("bar_x", std::to_string(kLabelWidth));
    b.set("bar_y", std::to_string(y + 4));
    b.set("bar_w", std::to_string(w));
    b.set("count_x", std::to_string(kLabelWidth + w + 8));
    bars.push_back(b);
    ++i;
  }
  PageData d;
  d.set("key", key);
  d.set("title", title);
  d.set("column", column);
  d.set("bars", bars);
  d.set("has_bars", !counts.empty());
  d.set("width", std::to_string(kLabelWidth + kBarSpace + 60));
  d.set("height", std::to_string(std::max(1, i) * kRowHeight + 6));
  return d;
}

}  // namespace

Response ConsoleApp::GetStats(Context& c) {
  auto counted = CountCases(store_);
  if (!counted) {
    return ErrorPage(http::status::internal_server_error, "The cases could not be read", counted.error().message, c.session);
  }
  const CaseCounts& n = *counted;
  PageData charts{PageData::type::list};
  charts.push_back(Chart("month", "Reports by month", "Month", n.months));
  charts.push_back(Chart("category", "Reports by category", "Category", n.categories));
  charts.push_back(Chart("outcome", "Reports by outcome", "Outcome", n.outcomes));
  charts.push_back(Chart("triage-time", "Time from import to first triage", "Wait", n.time_to_triage));
  PageData d;
  d.set("reports", std::to_string(n.reports));
  d.set("followups", std::to_string(n.followups));
  d.set("urgent", std::to_string(n.urgent));
  d.set("charts", charts);
  d.set("median", n.median_days_to_triage >= 0
                      ? PageData("Half of the triaged reports (" + std::to_string(n.triaged) + ") waited " +
                                 std::to_string(n.median_days_to_triage) + " day(s) or less for their first triage.")
                      : PageData(false));
  return Page(http::status::ok, "stats", "Statistics", std::move(d), c.session);
}

}  // namespace sealdrop::console::web
