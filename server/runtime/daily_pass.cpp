#include "server/runtime/daily_pass.h"

#include <chrono>

#include "common/clock.h"
#include "server/log.h"

namespace sealdrop::server {
namespace {

void ForgetInactiveSources(SealedStore& store, const std::string& before_day) {
  auto done = store.ForgetInactiveSources(before_day);
  if (!done) {
    log::Error("retention pass failed: nothing was deleted");
    return;
  }
  log::Count(log::Level::kInfo, "retention: conversations forgotten", done->sources);
}

}  // namespace

DailyPass::DailyPass(boost::asio::io_context& io, SealedStore& store, WorkerPool& disk_pool,
                     int retention_days)
    : store_(store), disk_pool_(disk_pool), retention_days_(retention_days), timer_(io) {
  Run();
}

void DailyPass::Stop() { timer_.cancel(); }

void DailyPass::Run() {
  const bool queued = disk_pool_.TrySubmit([this] {
    ForgetInactiveSources(store_, AddDays(TodayUtc(), -retention_days_));
    // Spare blob files are made here, at a time no upload chose (blob_files.h).
    if (auto st = store_.ReplenishSpares(); !st) log::Error("making spare blob files failed");
  });
  if (!queued) log::Warn("retention pass skipped: disk pool busy");
  timer_.expires_after(std::chrono::hours(24));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Run();
  });
}

}  // namespace sealdrop::server
