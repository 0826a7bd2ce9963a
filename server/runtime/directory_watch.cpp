#include "server/runtime/directory_watch.h"

#include <chrono>
#include <csignal>

#include "server/log.h"

namespace sealdrop::server {

void WarnIfExpiring(const LiveDirectory& directory) {
  const int left = directory.DaysLeft();
  if (left < 0) {
    log::Error("the force directory has expired: new reports and follow-ups are refused until a "
               "renewed one is installed");
  } else if (left <= 30) {
    log::Warn("the force directory expires within 30 days: renew it");
  }
}

DirectoryWatch::DirectoryWatch(boost::asio::io_context& io, LiveDirectory& directory)
    : directory_(directory), hangup_(io, SIGHUP), minute_(io) {
  WaitForHangup();
  WaitForMinute();
}

void DirectoryWatch::Stop() {
  hangup_.cancel();
  minute_.cancel();
}

void DirectoryWatch::WaitForHangup() {
  hangup_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    Reload();
    WaitForHangup();
  });
}

void DirectoryWatch::WaitForMinute() {
  minute_.expires_after(std::chrono::minutes(1));
  minute_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (directory_.Stale()) Reload();
    WaitForMinute();
  });
}

void DirectoryWatch::Reload() {
  auto outcome = directory_.Reload();
  if (!outcome) {
    // Through the log, so that the journal keeps the line at its level (a raw stderr line would
    // be dropped by the unit's LogLevelMax); the reasons are the verifier's kinds of error.
    switch (outcome.error().code) {
      case ErrorCode::kInvalidArgument:
        log::Error("a new force directory was refused (an older serial than the current one: a "
                   "rollback); the current one stays");
        break;
      case ErrorCode::kBadSignature:
        log::Error("a new force directory was refused (not signed by the pinned root key); the "
                   "current one stays");
        break;
      case ErrorCode::kExpired:
        log::Error("a new force directory was refused (not valid yet: check the clock); the "
                   "current one stays");
        break;
      case ErrorCode::kIo:
      case ErrorCode::kNotFound:
        log::Error("a new force directory was refused (the file cannot be read); the current one "
                   "stays");
        break;
      default:
        log::Error("a new force directory was refused (not a signed force directory, or "
                   "damaged); the current one stays");
    }
  } else if (*outcome == LiveDirectory::Outcome::kRenewed) {
    log::Warn("a renewed force directory is now in use");
  }
  if (outcome && *outcome != LiveDirectory::Outcome::kSame) WarnIfExpiring(directory_);
}

}  // namespace sealdrop::server
