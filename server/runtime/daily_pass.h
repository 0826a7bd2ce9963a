// The server's daily pass (docs/server.md "Retention"): conversations inactive for longer than
// the retention are forgotten, and spare blob files are made (server/storage/blob_files.h), at
// start and then once a day, on the disk pool (never on an I/O thread). Logs counts only, at
// powers of ten.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/storage/store.h"
#include "server/util/worker_pool.h"

namespace sealdrop::server {

class DailyPass {
 public:
  // Queues the first pass now.
  DailyPass(boost::asio::io_context& io, SealedStore& store, WorkerPool& disk_pool,
            int retention_days);
  DailyPass(const DailyPass&) = delete;
  DailyPass& operator=(const DailyPass&) = delete;

  void Stop();

 private:
  void Run();

  SealedStore& store_;
  WorkerPool& disk_pool_;
  const int retention_days_;
  boost::asio::steady_timer timer_;
};

}  // namespace sealdrop::server
