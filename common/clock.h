// UTC calendar days ("YYYY-MM-DD") and timestamps ("YYYY-MM-DDTHH:MM:SSZ"): the only place the
// tree turns the system clock into text. Days, not times, wherever a day is enough.
#pragma once

#include <string>
#include <string_view>

namespace sealdrop {

// Today in UTC, "YYYY-MM-DD".
std::string TodayUtc();
// Today plus `days` (may be negative) in UTC, "YYYY-MM-DD".
std::string DayFromTodayUtc(int days);
// `day` plus `days` (may be negative). REQUIRES: IsValidDay(day).
std::string AddDays(std::string_view day, int days);
// Whole days from `from` to `to` (negative when `to` is earlier). REQUIRES: both IsValidDay.
long long DaysBetween(std::string_view from, std::string_view to);
// The month of `day`, "YYYY-MM" (ordered as text, like days). REQUIRES: IsValidDay(day).
std::string MonthOf(std::string_view day);
// Now in UTC to the second, "YYYY-MM-DDTHH:MM:SSZ" (the console's audit entries).
std::string NowUtcTimestamp();
// A real calendar day from 2000-01-01 on, written "YYYY-MM-DD".
bool IsValidDay(std::string_view day);

}  // namespace sealdrop
