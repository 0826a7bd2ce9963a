#include "server/util/worker_pool.h"

namespace sealdrop::server {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued) : max_queued_(max_queued) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkerPool::TrySubmit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    // A job an idle worker takes at once does not wait: it never counts against the queue.
    if (stopping_ || jobs_.size() >= max_queued_ + idle_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

bool WorkerPool::TrySubmitFor(std::optional<std::uint32_t> circuit, std::function<void()> job) {
  if (!circuit) return TrySubmit(std::move(job));
  {
    std::lock_guard lock(mu_);
    if (stopping_ || jobs_.size() >= max_queued_ + idle_ || circuits_.count(*circuit)) return false;
    circuits_.insert(*circuit);
    jobs_.push_back([this, id = *circuit, job = std::move(job)] {
      // Taken off the queue: the circuit may queue its next job (the answer to this one may
      // come before `job` returns, and a reporter may try again at once).
      {
        std::lock_guard done(mu_);
        circuits_.erase(id);
      }
      job();
    });
  }
  cv_.notify_one();
  return true;
}

std::size_t WorkerPool::queued() {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // stopping, and nothing left to do
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace sealdrop::server
