// UploadSlots: request bodies still to come (uploads; a form that arrives with its request head
// needs no slot: reading it waits on nothing the client does) get their own bounded share of
// the connection cap, so that a crowd of slow uploads cannot take the connections that page views
// and logins need (issue 13: 256 sessions trickling one byte every 20 s locked the landing page
// out). Three rules, checked when a request head says a body will be read:
//   - at most `slots` bodies are read at once (by default half the connection cap);
//   - behind Tor, at most `per_circuit` of them come from one circuit (PROXY header circuit ids);
//   - when the share is full, the body making the least progress — bytes per second since its
//     reading began, counted over at least `grace`, below `floor_bytes_per_second` — is dropped
//     to admit the new one. A trickle cannot hold a slot against an honest upload (which sends
//     floor × grace bytes within its grace at once); to hold every slot an attacker must keep
//     sending at the floor on each (slots × floor bytes a second), and behind Tor the
//     per-circuit cap makes that many circuits. No body is protected merely for being new: a
//     crowd that reconnects as fast as it is dropped would then keep every slot.
// A body not yet being read (its route still preparing, e.g. waiting for a codename derivation)
// is never dropped: that wait is bounded by the derivation queue, not by the client. A slot is
// given back when the whole body has arrived (what follows is bounded server work) or the
// connection ends. Dropping is decided here and carried out on the victim's own strand; a victim
// whose whole body has arrived meanwhile is not dropped (a login form comes in one packet), so
// the share may be exceeded for a moment, by at most one per such admission.
//
// The clock is injectable. Thread-safety: all methods may be called from any thread; `drop`
// callbacks run outside the lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace sealdrop::server {

struct UploadLimits {
  std::size_t slots = 128;
  std::size_t per_circuit = 2;
  std::chrono::seconds grace{5};  // progress is judged over at least this
  std::uint64_t floor_bytes_per_second = 1024;
};

class UploadSlots : public std::enable_shared_from_this<UploadSlots> {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Id = std::uint64_t;

  enum class Admission { kAdmitted, kCircuitFull, kFull };

  // Holds a slot; gives it back when destroyed. Move-only.
  class Ticket {
   public:
    Ticket(std::shared_ptr<UploadSlots> slots, Id id) : slots_(std::move(slots)), id_(id) {}
    Ticket(Ticket&& other) noexcept : slots_(std::move(other.slots_)), id_(other.id_) {}
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (slots_) slots_->Release(id_);
    }
    Id id() const { return id_; }
    // The body has started to be read: progress is measured from now.
    void Reading() { slots_->Reading(id_); }
    // Body bytes read so far.
    void Progress(std::uint64_t bytes) { slots_->Progress(id_, bytes); }

   private:
    std::shared_ptr<UploadSlots> slots_;
    Id id_;
  };

  struct Admitted {
    Admission admission;
    std::optional<Ticket> ticket;  // set when admitted
  };

  static std::shared_ptr<UploadSlots> Create(UploadLimits limits,
                                             Clock clock = std::chrono::steady_clock::now);

  // Asks for a slot for a body from `circuit` (none without Tor's PROXY header). `drop` is called
  // (at most once, from whichever thread admits a later body) if this one is chosen to be dropped.
  Admitted Admit(std::optional<std::uint32_t> circuit, std::function<void()> drop);
  std::size_t in_use();

 private:
  UploadSlots(UploadLimits limits, Clock clock) : limits_(limits), clock_(std::move(clock)) {}
  void Release(Id id);
  void Reading(Id id);
  void Progress(Id id, std::uint64_t bytes);

  struct Body {
    std::optional<std::uint32_t> circuit;
    std::optional<std::chrono::steady_clock::time_point> reading_since;
    std::uint64_t bytes = 0;
    std::function<void()> drop;
  };
  // The body to drop to admit another, or end() when none may be dropped. REQUIRES: mu_ held.
  std::map<Id, Body>::iterator Slowest(std::chrono::steady_clock::time_point now);

  const UploadLimits limits_;
  Clock clock_;
  std::mutex mu_;
  Id next_ = 1;
  std::map<Id, Body> bodies_;
};

}  // namespace sealdrop::server
