// Keeps the force directory current while the server runs (docs/server.md "The force
// directory"): a renewed file is taken on SIGHUP, and when the file or the day has changed
// (checked each minute); the operator hears of the expiry every day from 30 days before.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/config/live_directory.h"

namespace sealdrop::server {

// Logs an error once the directory has expired, a warning within 30 days of it.
void WarnIfExpiring(const LiveDirectory& directory);

class DirectoryWatch {
 public:
  DirectoryWatch(boost::asio::io_context& io, LiveDirectory& directory);
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  // Stops waiting for SIGHUP and the minute timer, so that the io_context can finish.
  void Stop();

 private:
  void WaitForHangup();
  void WaitForMinute();
  // Reads the file again; a refused one is logged with its kind of reason and the current
  // directory stays.
  void Reload();

  LiveDirectory& directory_;
  boost::asio::signal_set hangup_;
  boost::asio::steady_timer minute_;
};

}  // namespace sealdrop::server
