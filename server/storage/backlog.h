// The operator's view of what waits on the server for each force's console: counts and ages in
// days, never ids (`sealdrop-server status`, docs/server.md). A force whose oldest item keeps
// ageing has stopped collecting, or its receipts do not come back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/storage/store.h"

namespace sealdrop::server {

// Whole days from `day` to `today` (both YYYY-MM-DD): 0 on the same day, never negative.
// REQUIRES: both valid days.
std::int64_t AgeInDays(std::string_view day, std::string_view today);

// One line per force, e.g. "MET          3 waiting, the oldest 5 day(s) old\n", or
// "nothing waiting\n".
std::string FormatBacklog(const std::vector<ForceBacklog>& backlog, std::string_view today);

// The storage budget's state for the operator (docs/server.md "Storage budgets"), in whole MiB
// (rounded up, so that anything stored shows): "stored     12 MiB of 20480 MiB (max_stored_mb)\n"
// "disk     7000 MiB free, 512 MiB kept in reserve (reserve_mb)\n".
struct StorageState {
  std::uint64_t stored_bytes;
  std::uint64_t max_stored_bytes;
  std::uint64_t free_bytes;
  std::uint64_t reserve_bytes;
};
std::string FormatStorage(const StorageState& state);

}  // namespace sealdrop::server
