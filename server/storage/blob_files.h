// BlobFiles: the envelope files under DATA_DIR/blobs, kept so that their metadata tells whoever
// seizes the disk nothing about when each item arrived (docs/server.md "What a seized disk
// shows").
//
//   - Every file is named by 32 random hex digits. A file is an item when the index has a row
//     for it; every other file is a spare: empty, made in a batch ahead of need (at start and on
//     the daily pass). An upload writes into a spare taken at random, so an item's inode number,
//     birth time (statx btime, which no call can change) and directory slot are those of a batch
//     made earlier, not of its arrival. Nothing is created or renamed in the directory when a
//     reporter's upload arrives.
//   - Settle() sets every file's access and modification times to kSettledTime. The kernel sets
//     each file's change time (ctime, which no call can set) to the moment of that call, so after
//     it every file's ctime is the same instant, whatever its history.
//   - A deleted item's file is unlinked.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"

namespace sealdrop::server {

class BlobFiles;

// A spare being written. Keep() once its row is committed; otherwise the destructor empties it
// and gives it back to the spares.
class BlobWriter final : public ByteSink {
 public:
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter() override;

  Status Write(std::span<const std::uint8_t> bytes) override;
  // The bytes, and a rename if the file took a chosen name, are durable after this.
  Status Sync();
  // Its row is committed: the file is an item now.
  void Keep();
  const std::string& id() const { return id_; }

 private:
  friend class BlobFiles;
  BlobWriter(BlobFiles* files, std::string id, int fd, bool renamed)
      : files_(files), id_(std::move(id)), fd_(fd), renamed_(renamed) {}
  BlobFiles* files_;
  std::string id_;
  int fd_ = -1;
  bool renamed_ = false;
  bool kept_ = false;
};

class BlobFiles {
 public:
  static constexpr std::int64_t kSettledTime = 1577836800;  // 2020-01-01T00:00:00Z
  // Spares made at once: more than a day's reports and replies on a busy day, so that a batch
  // made mid-day (only when the spares run out) is rare. An empty file costs an inode, no block.
  static constexpr std::size_t kBatch = 256;

  explicit BlobFiles(std::string dir) : dir_(std::move(dir)) {}
  BlobFiles(const BlobFiles&) = delete;
  BlobFiles& operator=(const BlobFiles&) = delete;

  struct Adopted {
    std::size_t wiped = 0;    // spares that held an interrupted upload's bytes: emptied
    std::size_t removed = 0;  // other files (temporary files of older versions): removed
  };
  // At start, before any Take(): `items` are the ids the index has rows for. Every other file
  // named like an id becomes a spare (emptied if an interrupted upload left bytes in it).
  Result<Adopted> Adopt(const std::set<std::string>& items);
  // Makes spares until there are kBatch.
  Status Replenish();
  // A spare taken at random (a batch is made first if none is left), renamed to `chosen_id` when
  // that is given (replies: the force names them). kAlreadyExists if `chosen_id` exists.
  Result<BlobWriter> Take(const std::string& chosen_id = "");
  // Unlinks item files (their rows are gone) and makes the removal durable.
  Status Remove(const std::vector<std::string>& ids);
  // Every file's atime and mtime to kSettledTime, so every ctime to now (see above).
  Status Settle();

  bool Exists(const std::string& id) const;
  std::string Path(const std::string& id) const { return dir_ + "/" + id; }
  std::size_t spare_count() const;

 private:
  friend class BlobWriter;
  Status MakeSpares(std::size_t count);  // REQUIRES: mu_ held
  Result<BlobWriter> TakeSpare(const std::string& chosen_id);  // kNotFound: the spare was gone
  void GiveBack(const std::string& id);  // an emptied spare returns to the pool

  std::string dir_;
  mutable std::mutex mu_;
  std::vector<std::string> spares_;  // not being written, no row
};

}  // namespace sealdrop::server
