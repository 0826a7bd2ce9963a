// DiskSpace: how many bytes the file system under the data directory can still take, for the
// disk reserve (docs/server.md "Storage budgets"). The directory is opened once, before the
// system-call filter, and asked with fstatvfs afterwards: the filter allows fstatfs on a
// descriptor the process already holds, not statfs on any path.
//
// Thread-safety: const methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/result.h"

namespace sealdrop::server {

class DiskSpace {
 public:
  static Result<DiskSpace> Open(const std::string& dir);
  DiskSpace(DiskSpace&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DiskSpace& operator=(DiskSpace&&) = delete;
  DiskSpace(const DiskSpace&) = delete;
  ~DiskSpace();

  // Bytes an unprivileged process may still write (f_bavail × f_frsize).
  Result<std::uint64_t> FreeBytes() const;

 private:
  explicit DiskSpace(int fd) : fd_(fd) {}
  int fd_;
};

// What the budgets ask: free bytes now (DiskSpace::FreeBytes, or a fake in tests).
using FreeBytesReader = std::function<Result<std::uint64_t>()>;

// True when `bytes` more still leave `reserve` bytes free. A file system that cannot be asked
// counts as full: a disk that fails statvfs is not one to write a report on.
bool LeavesReserve(const FreeBytesReader& free_bytes, std::uint64_t bytes, std::uint64_t reserve);

}  // namespace sealdrop::server
