#include "common/clock.h"

#include <ctime>

#include "common/result.h"

namespace sealdrop {
namespace {

constexpr std::time_t kSecondsPerDay = 86400;

enum class Precision { kDay, kSecond };

std::string FormatUtc(std::time_t t, Precision precision) {
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) Die("gmtime_r failed");
  char buf[32];
  const std::size_t n = precision == Precision::kDay
                            ? std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm)
                            : std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (n == 0) Die("strftime failed");
  return buf;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Digits(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::string TodayUtc() { return FormatUtc(std::time(nullptr), Precision::kDay); }

std::string DayFromTodayUtc(int days) {
  return FormatUtc(std::time(nullptr) + static_cast<std::time_t>(days) * kSecondsPerDay,
                   Precision::kDay);
}

namespace {

// Noon UTC of `day` plus `days`, as a time_t: noon, so that no day boundary is ever near.
std::time_t NoonOf(std::string_view day, int days, const char* caller) {
  if (!IsValidDay(day)) Die(caller);
  std::tm tm{};
  tm.tm_year = Digits(day.substr(0, 4)) - 1900;
  tm.tm_mon = Digits(day.substr(5, 2)) - 1;
  tm.tm_mday = Digits(day.substr(8, 2)) + days;
  tm.tm_hour = 12;
  return timegm(&tm);
}

}  // namespace

std::string AddDays(std::string_view day, int days) {
  return FormatUtc(NoonOf(day, days, "AddDays: not a day"), Precision::kDay);
}

long long DaysBetween(std::string_view from, std::string_view to) {
  return static_cast<long long>(NoonOf(to, 0, "DaysBetween: not a day") -
                                NoonOf(from, 0, "DaysBetween: not a day")) /
         kSecondsPerDay;
}

std::string NowUtcTimestamp() { return FormatUtc(std::time(nullptr), Precision::kSecond); }

bool IsValidDay(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!IsDigit(d[i])) return false;
  }
  const int year = Digits(d.substr(0, 4));
  const int month = Digits(d.substr(5, 2));
  const int day = Digits(d.substr(8, 2));
  if (year < 2000 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + ((month == 2 && leap) ? 1 : 0);
}

std::string MonthOf(std::string_view day) {
  if (!IsValidDay(day)) Die("MonthOf: not a day");
  return std::string(day.substr(0, 7));
}

}  // namespace sealdrop
