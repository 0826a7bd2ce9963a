#include "server/storage/blob_files.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "crypto/keys.h"
#include "server/storage/store.h"

namespace sealdrop::server {
namespace {

Error IoFailure(const std::string& what) {
  return MakeError(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

std::string RandomId() {
  std::uint8_t rnd[16];
  randombytes_buf(rnd, sizeof rnd);
  return HexEncode(rnd);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// BlobWriter

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : files_(other.files_),
      id_(std::move(other.id_)),
      fd_(std::exchange(other.fd_, -1)),
      renamed_(other.renamed_),
      kept_(std::exchange(other.kept_, true)) {}

BlobWriter::~BlobWriter() {
  if (kept_) {
    if (fd_ >= 0) ::close(fd_);
    return;
  }
  // Not committed: the bytes go and the file is a spare again. If emptying fails the file stays
  // out of the pool; the next start's Adopt() empties it.
  const bool emptied = fd_ >= 0 && ::ftruncate(fd_, 0) == 0 && ::fsync(fd_) == 0;
  if (fd_ >= 0) ::close(fd_);
  if (emptied) files_->GiveBack(id_);
}

Status BlobWriter::Write(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0 || kept_) Die("BlobWriter::Write after Keep");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoFailure("cannot write a blob");
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Status BlobWriter::Sync() {
  if (::fsync(fd_) != 0) return IoFailure("cannot sync a blob");
  if (renamed_) return SyncDirectory(files_->dir_);
  return Status::Ok();
}

void BlobWriter::Keep() { kept_ = true; }

// ---------------------------------------------------------------------------------------------
// BlobFiles

Result<BlobFiles::Adopted> BlobFiles::Adopt(const std::set<std::string>& items) {
  Adopted adopted;
  std::vector<std::string> spares;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!IsValidItemId(name)) {
      std::error_code rm;
      if (!std::filesystem::remove(it->path(), rm) && rm) {
        return MakeError(ErrorCode::kIo, "cannot remove a temporary file: " + rm.message());
      }
      ++adopted.removed;
      continue;
    }
    if (items.count(name)) continue;
    struct stat st {};
    if (::lstat(Path(name).c_str(), &st) != 0) return IoFailure("cannot read a blob's size");
    if (st.st_size != 0) {
      // An upload that never got its row: the sender never saw success.
      if (::truncate(Path(name).c_str(), 0) != 0) return IoFailure("cannot empty a spare");
      ++adopted.wiped;
    }
    spares.push_back(name);
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot list the blobs: " + ec.message());
  if (adopted.wiped > 0) {
    if (auto st = SyncFileSystem(dir_); !st) return st.error();
  }
  std::lock_guard lock(mu_);
  spares_ = std::move(spares);
  return adopted;
}

Status BlobFiles::Replenish() {
  std::lock_guard lock(mu_);
  if (spares_.size() >= kBatch) return Status::Ok();
  return MakeSpares(kBatch - spares_.size());
}

Status BlobFiles::MakeSpares(std::size_t count) {
  const timespec settled[2] = {{kSettledTime, 0}, {kSettledTime, 0}};
  for (std::size_t made = 0; made < count;) {
    const std::string id = RandomId();
    const int fd = ::open(Path(id).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                          0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;  // 128 random bits: never, but not an error either
      return IoFailure("cannot make a spare blob");
    }
    const bool ok = ::fchmod(fd, 0600) == 0 && ::futimens(fd, settled) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(Path(id).c_str());
      return IoFailure("cannot make a spare blob");
    }
    spares_.push_back(id);
    ++made;
  }
  return SyncDirectory(dir_);
}

Result<BlobWriter> BlobFiles::Take(const std::string& chosen_id) {
  if (!chosen_id.empty()) {
    if (!IsValidItemId(chosen_id)) return MakeError(ErrorCode::kInvalidArgument, "bad item id");
    if (Exists(chosen_id)) return MakeError(ErrorCode::kAlreadyExists, "item exists");
  }
  // A spare that is gone (another process's store took it: only tests open a second one) is
  // forgotten and another taken.
  for (;;) {
    auto taken = TakeSpare(chosen_id);
    if (taken || taken.error().code != ErrorCode::kNotFound) return taken;
  }
}

Result<BlobWriter> BlobFiles::TakeSpare(const std::string& chosen_id) {
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (spares_.empty()) {
      if (auto st = MakeSpares(kBatch); !st) return st.error();
    }
    const std::size_t pick = randombytes_uniform(static_cast<std::uint32_t>(spares_.size()));
    std::swap(spares_[pick], spares_.back());
    id = std::move(spares_.back());
    spares_.pop_back();
  }
  bool renamed = false;
  if (!chosen_id.empty()) {
    if (::renameat2(AT_FDCWD, Path(id).c_str(), AT_FDCWD, Path(chosen_id).c_str(),
                    RENAME_NOREPLACE) != 0) {
      const int err = errno;
      if (err == ENOENT) return MakeError(ErrorCode::kNotFound, "spare gone");
      GiveBack(id);
      if (err == EEXIST) return MakeError(ErrorCode::kAlreadyExists, "item exists");
      errno = err;
      return IoFailure("cannot name a blob");
    }
    id = chosen_id;
    renamed = true;
  }
  const int fd = ::open(Path(id).c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return MakeError(ErrorCode::kNotFound, "spare gone");
    GiveBack(id);
    errno = err;
    return IoFailure("cannot open a spare blob");
  }
  return BlobWriter(this, id, fd, renamed);
}

void BlobFiles::GiveBack(const std::string& id) {
  std::lock_guard lock(mu_);
  spares_.push_back(id);
}

Status BlobFiles::Remove(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (::unlink(Path(id).c_str()) != 0 && errno != ENOENT) return IoFailure("cannot remove a blob");
  }
  if (ids.empty()) return Status::Ok();
  return SyncDirectory(dir_);
}

Status BlobFiles::Settle() {
  const timespec settled[2] = {{kSettledTime, 0}, {kSettledTime, 0}};
  const int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return IoFailure("cannot open the blob directory");
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // A file may go between the listing and the call (a deletion): that is not an error.
    if (::utimensat(dir, name.c_str(), settled, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT) {
      ::close(dir);
      return IoFailure("cannot settle a blob's times");
    }
  }
  ::close(dir);
  if (ec) return MakeError(ErrorCode::kIo, "cannot list the blobs: " + ec.message());
  return Status::Ok();
}

bool BlobFiles::Exists(const std::string& id) const { return PathExists(Path(id)); }

std::size_t BlobFiles::spare_count() const {
  std::lock_guard lock(mu_);
  return spares_.size();
}

}  // namespace sealdrop::server
