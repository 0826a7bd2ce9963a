#include "server/source/storage_budget.h"

#include <algorithm>

#include "server/log.h"

namespace sealdrop::server {
namespace {

constexpr double kDaySeconds = 24 * 60 * 60;

}  // namespace

const char* BudgetLimitName(BudgetLimit limit) {
  switch (limit) {
    case BudgetLimit::kSender: return "sender";
    case BudgetLimit::kIntake: return "intake";
    case BudgetLimit::kStored: return "stored";
    case BudgetLimit::kDisk: return "disk";
  }
  return "?";
}

// A tag byte keeps circuits and codenames apart in one map.
SenderKey CircuitSender(std::uint32_t circuit) {
  SenderKey key(5, '\0');
  key[0] = 'c';
  for (int i = 0; i < 4; ++i) key[static_cast<std::size_t>(1 + i)] = static_cast<char>(circuit >> (8 * i));
  return key;
}

SenderKey CodenameSender(const std::array<std::uint8_t, 32>& lookup_id) {
  SenderKey key = "s";
  key.append(reinterpret_cast<const char*>(lookup_id.data()), lookup_id.size());
  return key;
}

StorageBudget::StorageBudget(StorageBudgetLimits limits, StoredBytesReader stored_bytes,
                             FreeBytesReader free_bytes, Clock clock)
    : limits_(limits),
      sender_rate_(static_cast<double>(limits.sender_bytes) /
                   static_cast<double>(std::max<std::int64_t>(1, limits.sender_window.count()))),
      intake_rate_(static_cast<double>(limits.daily_intake_bytes) / kDaySeconds),
      stored_bytes_(std::move(stored_bytes)),
      free_bytes_(std::move(free_bytes)),
      clock_(std::move(clock)),
      intake_{static_cast<double>(limits.daily_intake_bytes), clock_()} {}

void StorageBudget::Refill(Bucket& b, double burst, double per_second, TimePoint now) const {
  const double seconds = std::chrono::duration<double>(now - b.last).count();
  if (seconds > 0) b.tokens = std::min(burst, b.tokens + seconds * per_second);
  b.last = std::max(b.last, now);
}

StorageBudget::Bucket& StorageBudget::SenderBucket(const SenderKey& key, TimePoint now) {
  const double burst = static_cast<double>(limits_.sender_bytes);
  auto it = senders_.find(key);
  if (it == senders_.end()) {
    if (senders_.size() >= limits_.max_senders) {
      for (auto& [k, bucket] : senders_) Refill(bucket, burst, sender_rate_, now);
      std::erase_if(senders_, [&](const auto& kv) { return kv.second.tokens >= burst; });
      if (senders_.size() >= limits_.max_senders) senders_.clear();
    }
    it = senders_.emplace(key, Bucket{burst, now}).first;
  }
  Refill(it->second, burst, sender_rate_, now);
  return it->second;
}

void StorageBudget::RefreshStored(bool force) {
  const auto now = clock_();
  if (!force && stored_read_at_ && now - *stored_read_at_ < kStoredRefresh) return;
  auto stored = stored_bytes_();
  if (!stored) {
    // Keep the last total: an index that cannot be read will refuse the commit anyway.
    log::WarnRepeated("cannot read the stored total");
    return;
  }
  stored_ = *stored;
  stored_read_at_ = now;
}

std::optional<BudgetLimit> StorageBudget::RoomFor(std::span<const SenderKey> senders,
                                                  std::uint64_t bytes, TimePoint now) {
  const double want = static_cast<double>(bytes);
  for (const auto& key : senders) {
    if (SenderBucket(key, now).tokens < want) return BudgetLimit::kSender;
  }
  Refill(intake_, static_cast<double>(limits_.daily_intake_bytes), intake_rate_, now);
  if (intake_.tokens < want) return BudgetLimit::kIntake;
  auto over_stored = [&] {
    return stored_ + pending_ > limits_.max_stored_bytes ||
           limits_.max_stored_bytes - stored_ - pending_ < bytes;
  };
  if (over_stored()) {
    RefreshStored(/*force=*/true);  // receipts may have made room since the last read
    if (over_stored()) return BudgetLimit::kStored;
  }
  if (!LeavesReserve(free_bytes_, bytes, limits_.reserve_bytes)) return BudgetLimit::kDisk;
  return std::nullopt;
}

std::optional<BudgetLimit> StorageBudget::Check(std::span<const SenderKey> senders,
                                                std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  RefreshStored(/*force=*/false);
  return RoomFor(senders, bytes, clock_());
}

StorageBudget::Reservation StorageBudget::Open(std::vector<SenderKey> senders) {
  {
    std::lock_guard lock(mu_);
    RefreshStored(/*force=*/false);
  }
  return Reservation(this, std::move(senders));
}

BudgetSnapshot StorageBudget::Snapshot() {
  std::lock_guard lock(mu_);
  RefreshStored(/*force=*/false);
  return {.stored_bytes = stored_, .pending_bytes = pending_};
}

void StorageBudget::Give(std::span<const SenderKey> senders, std::uint64_t bytes, bool stored) {
  std::lock_guard lock(mu_);
  pending_ -= std::min(pending_, bytes);
  if (stored) {
    stored_ += bytes;
    return;
  }
  // Nothing was kept: the bytes go back to every bucket they came from (a forgotten sender's
  // bucket is full already).
  const double back = static_cast<double>(bytes);
  for (const auto& key : senders) {
    if (auto it = senders_.find(key); it != senders_.end()) {
      it->second.tokens = std::min(static_cast<double>(limits_.sender_bytes), it->second.tokens + back);
    }
  }
  intake_.tokens = std::min(static_cast<double>(limits_.daily_intake_bytes), intake_.tokens + back);
}

StorageBudget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(other.budget_), senders_(std::move(other.senders_)), charged_(other.charged_) {
  other.budget_ = nullptr;
  other.charged_ = 0;
}

StorageBudget::Reservation::~Reservation() {
  if (budget_ && charged_ > 0) budget_->Give(senders_, charged_, /*stored=*/false);
}

std::optional<BudgetLimit> StorageBudget::Reservation::Charge(std::uint64_t bytes) {
  if (!budget_) Die("StorageBudget::Reservation: charged after Commit");
  StorageBudget& b = *budget_;
  std::lock_guard lock(b.mu_);
  const auto now = b.clock_();
  if (auto refused = b.RoomFor(senders_, bytes, now)) return refused;
  const double spent = static_cast<double>(bytes);
  for (const auto& key : senders_) b.SenderBucket(key, now).tokens -= spent;
  b.intake_.tokens -= spent;
  b.pending_ += bytes;
  charged_ += bytes;
  return std::nullopt;
}

void StorageBudget::Reservation::Commit() {
  if (!budget_) Die("StorageBudget::Reservation: committed twice");
  budget_->Give(senders_, charged_, /*stored=*/true);
  budget_ = nullptr;
  charged_ = 0;
}

}  // namespace sealdrop::server
