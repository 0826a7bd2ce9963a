// Starts a server binary for a test, reads its "listening ADDRESS" line, stops it by PID.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sealdrop::testing {

class ServerProcess {
 public:
  // Runs argv; waits (up to 10 s) for a "listening ADDRESS" line on stdout.
  explicit ServerProcess(const std::vector<std::string>& argv);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& address() const { return address_; }
  // The force API's address, when the server was started with --force-listen.
  const std::string& force_api_address() const { return force_api_address_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit; returns the exit status (or 128+signal).
  int Stop(int signal);
  // Everything the server wrote to stderr so far (after Stop: all of it).
  std::string Stderr();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string address_;
  std::string force_api_address_;
  std::string err_;
};

// One HTTP exchange over a fresh connection to "127.0.0.1:PORT" or "unix:PATH": sends `raw`
// bytes, returns everything read until the server closes or `timeout_ms` passes.
std::string HttpExchange(const std::string& address, const std::string& raw,
                         int timeout_ms = 5000);
// Connects and returns the socket (caller closes), or -1.
int ConnectTo(const std::string& address);

}  // namespace sealdrop::testing
