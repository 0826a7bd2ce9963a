#include "common/io.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/bytes.h"

namespace sealdrop {
namespace {

Error IoError(const std::string& what) {
  return MakeError(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

std::string DirName(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<std::size_t> ReadFull(ByteSource& source, std::span<std::uint8_t> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    auto n = source.Read(out.subspan(got));
    if (!n) return n.error();
    if (*n == 0) break;
    got += *n;
  }
  return got;
}

Result<std::size_t> MemorySource::Read(std::span<std::uint8_t> out) {
  const std::size_t n = std::min(out.size(), bytes_.size() - pos_);
  if (n > 0) std::memcpy(out.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

Status MemorySink::Write(std::span<const std::uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return Status::Ok();
}

Result<FileSource> FileSource::Open(const std::string& path) {
  // O_NOATIME where the file is ours: reading leaves no trace of when (the server's blobs keep
  // settled times, server/storage/blob_files.h). Another user's file opens without it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open input");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, "cannot open input: it is a directory");
  }
  return FileSource(fd, true);
}

FileSource FileSource::Borrow(int fd) { return FileSource(fd, false); }

FileSource::FileSource(FileSource&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), owned_(std::exchange(other.owned_, false)) {}

FileSource::~FileSource() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

Result<std::size_t> FileSource::Read(std::span<std::uint8_t> out) {
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return IoError("read failed");
  }
}

namespace {

// The fallback temporary name only needs to be unlikely to collide (O_EXCL catches the rest),
// so the kernel's getrandom(2) serves: common/ links no cryptographic library.
std::string RandomTempName(const std::string& path) {
  std::uint8_t rnd[8];
  std::size_t got = 0;
  while (got < sizeof rnd) {
    const ssize_t n = ::getrandom(rnd + got, sizeof rnd - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Die("getrandom failed");
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  for (std::uint8_t b : rnd) {
    suffix += kHex[b >> 4];
    suffix += kHex[b & 0x0f];
  }
  return DirName(path) + "/." + BaseName(path) + ".tmp-" + suffix;
}

}  // namespace

Result<AtomicFile> AtomicFile::Create(const std::string& path, unsigned mode, bool overwrite) {
  if (path.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty output path");
  if (!overwrite && PathExists(path)) {
    return MakeError(ErrorCode::kAlreadyExists, "output already exists: " + path);
  }
  const auto perms = static_cast<mode_t>(mode);
  const int unnamed = ::open(DirName(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, perms);
  if (unnamed >= 0) {
    ::fchmod(unnamed, perms);
    return AtomicFile(path, "", unnamed, overwrite);
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return IoError("cannot create output");
  }
  // Hidden temporary name in the same directory, so rename is atomic on one file system.
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string temp = RandomTempName(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, perms);
    if (fd >= 0) {
      ::fchmod(fd, perms);  // exactly the mode asked for, whatever the umask
      return AtomicFile(path, temp, fd, overwrite);
    }
    if (errno != EEXIST) return IoError("cannot create output");
  }
  return MakeError(ErrorCode::kIo, "cannot create a temporary output file");
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::exchange(other.fd_, -1)),
      overwrite_(other.overwrite_),
      committed_(std::exchange(other.committed_, true)) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);  // an unnamed file simply vanishes
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status AtomicFile::Write(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0 || committed_) Die("AtomicFile::Write after Commit");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write failed");
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Status AtomicFile::LinkUnnamed() {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
  if (!overwrite_) {
    // linkat never replaces an existing name: a file that appeared since Create() is safe.
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      return Status::Ok();
    }
    if (errno == EEXIST) {
      return MakeError(ErrorCode::kAlreadyExists, "output already exists: " + path_);
    }
    return IoError("cannot name the output file");
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string temp = RandomTempName(path_);
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      if (::rename(temp.c_str(), path_.c_str()) != 0) {
        const Error e = IoError("rename failed");
        ::unlink(temp.c_str());
        return e;
      }
      return Status::Ok();
    }
    if (errno != EEXIST) return IoError("cannot name the output file");
  }
  return MakeError(ErrorCode::kIo, "cannot name the output file");
}

Status AtomicFile::RenameNamed() {
  if (overwrite_) {
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return IoError("rename failed");
    return Status::Ok();
  }
  if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) == 0) {
    return Status::Ok();
  }
  if (errno == EEXIST) {
    return MakeError(ErrorCode::kAlreadyExists, "output already exists: " + path_);
  }
  if (errno != EINVAL && errno != ENOSYS) return IoError("rename failed");
  if (::link(temp_path_.c_str(), path_.c_str()) != 0) {
    if (errno == EEXIST) {
      return MakeError(ErrorCode::kAlreadyExists, "output already exists: " + path_);
    }
    return IoError("link failed");
  }
  ::unlink(temp_path_.c_str());
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (fd_ < 0 || committed_) Die("AtomicFile::Commit twice");
  if (::fsync(fd_) != 0) return IoError("fsync failed");
  const Status named = temp_path_.empty() ? LinkUnnamed() : RenameNamed();
  if (!named) return named;
  committed_ = true;
  if (::close(std::exchange(fd_, -1)) != 0) return IoError("close failed");
  return SyncDirectory(DirName(path_));
}

Status AtomicFile::CommitUnsynced() {
  if (fd_ < 0 || committed_) Die("AtomicFile::Commit twice");
  const Status named = temp_path_.empty() ? LinkUnnamed() : RenameNamed();
  if (!named) return named;
  committed_ = true;
  if (::close(std::exchange(fd_, -1)) != 0) return IoError("close failed");
  return Status::Ok();
}

Status SyncFileSystem(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + path);
  const int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return IoError("syncfs failed");
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, std::size_t max_bytes) {
  auto src = FileSource::Open(path);
  if (!src) return src.error();
  std::string out;
  std::uint8_t buf[8192];
  for (;;) {
    auto n = src->Read(buf);
    if (!n) return n.error();
    if (*n == 0) break;
    if (out.size() + *n > max_bytes) {
      return MakeError(ErrorCode::kLimitExceeded, "input file is larger than expected");
    }
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view contents, unsigned mode,
                           bool overwrite) {
  auto file = AtomicFile::Create(path, mode, overwrite);
  if (!file) return file.error();
  if (auto st = file->Write(AsBytes(contents)); !st) return st;
  return file->Commit();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("directory fsync failed");
  return Status::Ok();
}

bool PathExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace sealdrop
