#include "server/util/disk_space.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/log.h"

namespace sealdrop::server {

Result<DiskSpace> DiskSpace::Open(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, "cannot open the data directory " + dir + ": " +
                                         std::strerror(errno));
  }
  return DiskSpace(fd);
}

DiskSpace::~DiskSpace() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::uint64_t> DiskSpace::FreeBytes() const {
  struct statvfs fs {};
  if (::fstatvfs(fd_, &fs) != 0) {
    return MakeError(ErrorCode::kIo, std::string("statvfs failed: ") + std::strerror(errno));
  }
  const std::uint64_t unit = fs.f_frsize != 0 ? fs.f_frsize : fs.f_bsize;
  return static_cast<std::uint64_t>(fs.f_bavail) * unit;
}

bool LeavesReserve(const FreeBytesReader& free_bytes, std::uint64_t bytes, std::uint64_t reserve) {
  auto free = free_bytes();
  if (!free) {
    log::WarnRepeated("cannot read the data directory's free space");
    return false;
  }
  return *free >= reserve && *free - reserve >= bytes;
}

}  // namespace sealdrop::server
