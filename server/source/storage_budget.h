// StorageBudget: how many bytes reporters may make the server keep (docs/server.md "Storage
// budgets"). Four limits, each checked before an upload is read (on its Content-Length, when it
// has one) and again for every sealed byte written while it streams in:
//
//   sender  a token bucket of bytes per sender: per Tor circuit, and per codename for follow-ups.
//           Full at `sender_bytes`, refilled over `sender_window`. Slows one sender down.
//   intake  one server-wide bucket of `daily_intake_bytes`, refilled over a day: a flood of
//           circuits can take at most that much a day, whatever it does.
//   stored  the reports and follow-ups waiting for forces (the index's sizes) plus uploads in
//           progress stay under `max_stored_bytes`: forces pull and receipt to make room.
//   disk    the file system keeps `reserve_bytes` free, for the index, replies and receipts
//           (the force API has its own, smaller reserve: server/forceapi/envelope_upload.cpp).
//
// An upload holds a Reservation: bytes are charged as they are written, and given back if the
// upload ends without its item committed (refused, cut off, failed), so that only what is stored
// counts. Sender keys are opaque byte strings made by SenderKey(); they stay in memory only, and
// past `max_senders` idle (full) buckets are forgotten first — forgetting only ever makes the
// budget more lenient. The stored total is read from the index (SealedStore::StoredBytes) at
// most every kStoredRefresh, and again before refusing for it (a receipt may have made room);
// in between, commits through a Reservation are added.
//
// Thread-safety: all methods may be called from any thread; a Reservation from one at a time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "server/util/disk_space.h"

namespace sealdrop::server {

// Which limit refused an upload. Reporters see two pages: kSender "you have sent a lot", the
// others "the service is full for now".
enum class BudgetLimit { kSender, kIntake, kStored, kDisk };
const char* BudgetLimitName(BudgetLimit limit);

struct StorageBudgetLimits {
  std::uint64_t sender_bytes = 2048ull << 20;
  std::chrono::seconds sender_window{3600};
  std::uint64_t daily_intake_bytes = 10240ull << 20;
  std::uint64_t max_stored_bytes = 20480ull << 20;
  std::uint64_t reserve_bytes = 512ull << 20;
  std::size_t max_senders = 100000;
};

// An opaque sender: a circuit id or a codename's lookup id.
using SenderKey = std::string;
SenderKey CircuitSender(std::uint32_t circuit);
SenderKey CodenameSender(const std::array<std::uint8_t, 32>& lookup_id);

// What `sealdrop-server status` and tests read.
struct BudgetSnapshot {
  std::uint64_t stored_bytes = 0;   // committed, as last read or added
  std::uint64_t pending_bytes = 0;  // charged by uploads in progress
};

class StorageBudget {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using StoredBytesReader = std::function<Result<std::uint64_t>()>;
  static constexpr std::chrono::seconds kStoredRefresh{10};

  StorageBudget(StorageBudgetLimits limits, StoredBytesReader stored_bytes,
                FreeBytesReader free_bytes, Clock clock = std::chrono::steady_clock::now);
  StorageBudget(const StorageBudget&) = delete;
  StorageBudget& operator=(const StorageBudget&) = delete;

  // Would `bytes` fit now, for all of `senders`? Spends nothing. nullopt: yes.
  std::optional<BudgetLimit> Check(std::span<const SenderKey> senders, std::uint64_t bytes);

  class Reservation {
   public:
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&&) = delete;
    Reservation(const Reservation&) = delete;
    ~Reservation();  // gives back what was charged unless Commit()ted
    // Charges `bytes` more to every limit; on a refusal nothing of these bytes is charged.
    std::optional<BudgetLimit> Charge(std::uint64_t bytes);
    // The item is stored: what was charged now counts as stored. REQUIRES: once, at most.
    void Commit();
    std::uint64_t charged() const { return charged_; }

   private:
    friend class StorageBudget;
    Reservation(StorageBudget* budget, std::vector<SenderKey> senders)
        : budget_(budget), senders_(std::move(senders)) {}
    StorageBudget* budget_;
    std::vector<SenderKey> senders_;
    std::uint64_t charged_ = 0;
  };
  Reservation Open(std::vector<SenderKey> senders);

  BudgetSnapshot Snapshot();
  const StorageBudgetLimits& limits() const { return limits_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Bucket {
    double tokens;
    TimePoint last;
  };
  // The private methods REQUIRE mu_ held, except Give, which takes it.
  void Refill(Bucket& b, double burst, double per_second, TimePoint now) const;
  Bucket& SenderBucket(const SenderKey& key, TimePoint now);
  std::optional<BudgetLimit> RoomFor(std::span<const SenderKey> senders, std::uint64_t bytes,
                                     TimePoint now);
  // Reads the index's total when the last read is older than kStoredRefresh, or `force`.
  void RefreshStored(bool force);
  void Give(std::span<const SenderKey> senders, std::uint64_t bytes, bool stored);

  const StorageBudgetLimits limits_;
  const double sender_rate_;  // bytes per second
  const double intake_rate_;
  StoredBytesReader stored_bytes_;
  FreeBytesReader free_bytes_;
  Clock clock_;
  std::mutex mu_;
  std::unordered_map<SenderKey, Bucket> senders_;
  Bucket intake_;
  std::uint64_t stored_ = 0;
  std::uint64_t pending_ = 0;
  std::optional<TimePoint> stored_read_at_;
};

}  // namespace sealdrop::server
