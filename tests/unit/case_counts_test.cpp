// The statistics both faces show (core CountCases): time to triage counted from the import day
// in fixed buckets, the median, and the other counts in order.
#include <gtest/gtest.h>

#include "journalist_console/core/case_actions.h"

namespace sealdrop::console {
namespace {

CaseRow Report(const std::string& id, const std::string& received, const std::string& outcome = "") {
  CaseRow r;
  r.id = id;
  r.kind = CaseKind::kReport;
  r.received_day = received;
  r.sent_day = received;
  r.category = "corruption";
  r.outcome = outcome;
  return r;
}

int Count(const Counts& counts, const std::string& label) {
  for (const auto& [k, n] : counts) {
    if (k == label) return n;
  }
  ADD_FAILURE() << "no bucket " << label;
  return -1;
}

TEST(CaseCounts, TimeToTriageFromTheImportDayInBuckets) {
  std::vector<CaseRow> cases = {
      Report("a", "2026-11-02", "no-further-action"),  // same day
      Report("b", "2026-11-02", "investigate"),        // next day
      Report("c", "2026-11-02", "investigate"),        // 7 days
      Report("d", "2026-11-02", "investigate"),        // 8 days
      Report("e", "2026-10-01", "investigate"),        // 29 days
      Report("f", "2026-11-20"),                       // never triaged
      Report("g", "2026-11-20", "investigate"),        // triaged "before" import: clock set back
  };
  CaseRow followup = Report("h", "2026-11-03");
  followup.kind = CaseKind::kFollowUp;
  cases.push_back(followup);
  const std::map<std::string, std::string> first = {
      {"a", "2026-11-02"}, {"b", "2026-11-03"}, {"c", "2026-11-09"}, {"d", "2026-11-10"},
      {"e", "2026-10-30"}, {"g", "2026-11-19"}, {"h", "2026-11-03"}};
  const CaseCounts n = CountCases(cases, first);
  EXPECT_EQ(n.reports, 7);
  EXPECT_EQ(n.followups, 1);
  ASSERT_EQ(n.time_to_triage.size(), 6u);
  EXPECT_EQ(n.time_to_triage.front().first, "same day");
  EXPECT_EQ(n.time_to_triage.back().first, "not yet triaged");
  EXPECT_EQ(Count(n.time_to_triage, "same day"), 2);  // a, and g counted as no wait
  EXPECT_EQ(Count(n.time_to_triage, "next day"), 1);
  EXPECT_EQ(Count(n.time_to_triage, "2 to 7 days"), 1);
  EXPECT_EQ(Count(n.time_to_triage, "8 to 28 days"), 1);
  EXPECT_EQ(Count(n.time_to_triage, "over 28 days"), 1);
  EXPECT_EQ(Count(n.time_to_triage, "not yet triaged"), 1);
  EXPECT_EQ(n.triaged, 6);
  // Waits 0, 0, 1, 7, 8, 29: the lower middle is 1.
  EXPECT_EQ(n.median_days_to_triage, 1);
  EXPECT_EQ(Count(n.outcomes, "(not yet triaged)"), 1);
  EXPECT_EQ(Count(n.months, "2026-10"), 1);
  EXPECT_EQ(n.months.front().first, "2026-10");  // oldest first
}

TEST(CaseCounts, NothingTriagedHasNoMedianAndNoReportsNoBuckets) {
  const CaseCounts none = CountCases({}, {});
  EXPECT_TRUE(none.time_to_triage.empty());
  EXPECT_EQ(none.median_days_to_triage, -1);
  const CaseCounts waiting = CountCases({Report("a", "2026-11-02")}, {});
  EXPECT_EQ(Count(waiting.time_to_triage, "not yet triaged"), 1);
  EXPECT_EQ(waiting.median_days_to_triage, -1);
  EXPECT_EQ(waiting.triaged, 0);
}

}  // namespace
}  // namespace sealdrop::console
