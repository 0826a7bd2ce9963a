#include "server/ops/status.h"

#include <cstdio>

#include "common/clock.h"
#include "server/storage/backlog.h"
#include "server/storage/store.h"
#include "server/util/disk_space.h"

namespace sealdrop::server {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-server: %s\n", message.c_str());
  return 1;
}

}  // namespace

int PrintStatus(const std::string& data_dir, const ServerConfig& config) {
  auto store = SealedStore::OpenReadOnly(data_dir);
  if (!store) return Fail(store.error().message);
  auto backlog = (*store)->WaitingByForce();
  if (!backlog) return Fail(backlog.error().message);
  auto stored = (*store)->StoredBytes();
  if (!stored) return Fail(stored.error().message);
  auto disk = DiskSpace::Open(data_dir);
  if (!disk) return Fail(disk.error().message);
  auto free = disk->FreeBytes();
  if (!free) return Fail(free.error().message);
  const std::string out =
      FormatBacklog(*backlog, TodayUtc()) +
      FormatStorage({.stored_bytes = *stored,
                     .max_stored_bytes = config.max_stored_mb << 20,
                     .free_bytes = *free,
                     .reserve_bytes = config.reserve_mb << 20});
  std::fputs(out.c_str(), stdout);
  return std::fflush(stdout) == 0 ? 0 : Fail("cannot write the status");
}

}  // namespace sealdrop::server
