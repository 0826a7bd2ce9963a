#include "server/storage/backlog.h"

#include <algorithm>
#include <cstdio>

#include "common/clock.h"
#include "crypto/directory.h"

namespace sealdrop::server {

std::int64_t AgeInDays(std::string_view day, std::string_view today) {
  return std::max<std::int64_t>(0, DaysBetween(day, today));
}

std::string FormatBacklog(const std::vector<ForceBacklog>& backlog, std::string_view today) {
  if (backlog.empty()) return "nothing waiting\n";
  std::string out;
  for (const auto& b : backlog) {
    char line[128];
    std::snprintf(line, sizeof line, "%-10s %8zu waiting, the oldest %lld day(s) old\n",
                  b.force.c_str(), b.waiting,
                  static_cast<long long>(AgeInDays(b.oldest_day, today)));
    out += line;
  }
  return out;
}

namespace {

unsigned long long MiBUp(std::uint64_t bytes) {
  return static_cast<unsigned long long>((bytes >> 20) + ((bytes & 0xFFFFF) != 0 ? 1 : 0));
}

}  // namespace

std::string FormatStorage(const StorageState& s) {
  char line[256];
  std::snprintf(line, sizeof line,
                "stored     %llu MiB of %llu MiB (max_stored_mb)\n"
                "disk       %llu MiB free, %llu MiB kept in reserve (reserve_mb)\n",
                MiBUp(s.stored_bytes), MiBUp(s.max_stored_bytes),
                static_cast<unsigned long long>(s.free_bytes >> 20),  // rounded down: what is surely free
                MiBUp(s.reserve_bytes));
  return line;
}

}  // namespace sealdrop::server
