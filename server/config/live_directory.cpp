#include "server/config/live_directory.h"

#include <sys/stat.h>

#include "common/clock.h"

namespace sealdrop::server {

Result<std::unique_ptr<LiveDirectory>> LiveDirectory::Open(std::string path, PublicKey root,
                                                          Today today) {
  auto first = ForceDirectory::Load(path, root, today(), ForceDirectory::Expiry::kAccept);
  if (!first) return first.error();
  std::unique_ptr<LiveDirectory> live(
      new LiveDirectory(std::move(path), root, std::move(today),
                        std::make_shared<const ForceDirectory>(std::move(*first))));
  return live;
}

LiveDirectory::LiveDirectory(ForceDirectory fixed)
    : root_(), today_(TodayUtc), current_(std::make_shared<const ForceDirectory>(std::move(fixed))) {}

LiveDirectory::LiveDirectory(std::string path, PublicKey root, Today today,
                             std::shared_ptr<const ForceDirectory> first)
    : path_(std::move(path)), root_(root), today_(std::move(today)), current_(std::move(first)) {
  stamp_ = Stamp();
}

std::shared_ptr<const ForceDirectory> LiveDirectory::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

LiveDirectory::FileStamp LiveDirectory::Stamp() const {
  struct stat st {};
  if (path_.empty() || ::stat(path_.c_str(), &st) != 0) return {};
  return {st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec,
          static_cast<long long>(st.st_size), static_cast<long long>(st.st_ino)};
}

bool LiveDirectory::Stale() const {
  if (path_.empty()) return false;
  const FileStamp now = Stamp();
  std::lock_guard lock(mu_);
  return !(now == stamp_) || current_->today() != today_();
}

Result<LiveDirectory::Outcome> LiveDirectory::Reload() {
  if (path_.empty()) return Outcome::kSame;
  const FileStamp stamp = Stamp();
  const std::string today = today_();
  auto next = ForceDirectory::Load(path_, root_, today, ForceDirectory::Expiry::kAccept);
  std::lock_guard lock(mu_);
  stamp_ = stamp;  // a bad file is reported once, not every minute until it changes
  if (!next) return next.error();
  if (next->serial() < current_->serial()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the new force directory has serial " + std::to_string(next->serial()) +
                         ", older than the current " + std::to_string(current_->serial()) +
                         ": kept the current one");
  }
  const Outcome outcome = next->serial() > current_->serial() ? Outcome::kRenewed
                          : today != current_->today()        ? Outcome::kRefreshed
                                                               : Outcome::kSame;
  current_ = std::make_shared<const ForceDirectory>(std::move(*next));
  return outcome;
}

int LiveDirectory::DaysLeft() const {
  const auto dir = Current();
  return static_cast<int>(DaysBetween(today_(), dir->expires()));
}

}  // namespace sealdrop::server
