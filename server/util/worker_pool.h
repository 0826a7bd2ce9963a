// WorkerPool: a fixed set of threads with a bounded queue, for work that must not run on an I/O
// thread: Argon2id codename derivations (64 MiB and ~0.2 s each) and fsyncs of large blobs.
// The bound is the point: when the queue is full, TrySubmit refuses and the caller answers 503,
// so a flood of logins costs at most `threads` derivations at a time and never stalls pages.
//
// Fairness (the codename derivations, issue 13): TrySubmitFor() keys a job by its Tor circuit, and
// a circuit has at most one job waiting in the queue; a second is refused. Jobs run in arrival
// order, so a queued job waits behind at most `max_queued` others, one per circuit — a round robin
// over the circuits that are waiting. A flood rotating circuits cannot put more jobs ahead of an
// honest one than there are slots, and to keep the queue full it must keep that many circuits
// each with a derivation outstanding (docs/server.md "Login floods").
//
// Thread-safety: all methods may be called from any thread. The destructor runs what is queued,
// then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sealdrop::server {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false (and `job` is dropped) when max_queued jobs are already waiting and no
  // worker is idle (so max_queued 0 still runs a job whenever a worker is free).
  [[nodiscard]] bool TrySubmit(std::function<void()> job);
  // As TrySubmit, and false when `circuit` already has a job waiting (one may be running). Without a circuit
  // (no PROXY header from Tor) this is TrySubmit.
  [[nodiscard]] bool TrySubmitFor(std::optional<std::uint32_t> circuit, std::function<void()> job);
  std::size_t queued();

 private:
  void Run();

  std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::size_t idle_ = 0;  // workers waiting for a job
  std::unordered_set<std::uint32_t> circuits_;  // with a job queued or running
  std::vector<std::thread> threads_;
};

}  // namespace sealdrop::server
