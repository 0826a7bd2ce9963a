// Byte streams and durable files.
//
// ByteSource/ByteSink are what the streaming codecs read from and write to, so the same code
// serves files, sockets and memory. AtomicFile gives "all or nothing" outputs: bytes go to an
// unnamed file (O_TMPFILE) in the target's directory, which gets its name only on Commit() after
// fsync; the directory is fsynced too. A crash at any moment leaves no partial file behind, not
// even a temporary one. Where the file system lacks O_TMPFILE, a hidden ".NAME.tmp-*" file is
// used instead and removed on failure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace sealdrop {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; returns 0 only at end of stream.
  virtual Result<std::size_t> Read(std::span<std::uint8_t> out) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes all of `bytes` or fails.
  virtual Status Write(std::span<const std::uint8_t> bytes) = 0;
};

// Reads until `out` is full or the stream ends; returns the count read.
Result<std::size_t> ReadFull(ByteSource& source, std::span<std::uint8_t> out);

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override;

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

class MemorySink final : public ByteSink {
 public:
  Status Write(std::span<const std::uint8_t> bytes) override;
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// Owns a file descriptor opened for reading.
class FileSource final : public ByteSource {
 public:
  static Result<FileSource> Open(const std::string& path);
  // Adopts `fd` (e.g. 0 for stdin) without closing it.
  static FileSource Borrow(int fd);
  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&&) = delete;
  ~FileSource() override;
  Result<std::size_t> Read(std::span<std::uint8_t> out) override;

 private:
  FileSource(int fd, bool owned) : fd_(fd), owned_(owned) {}
  int fd_ = -1;
  bool owned_ = false;
};

class AtomicFile final : public ByteSink {
 public:
  // Creates a temporary file beside `path` with permissions `mode` (e.g. 0600).
  // Fails with kAlreadyExists when `path` exists and `overwrite` is false.
  static Result<AtomicFile> Create(const std::string& path, unsigned mode, bool overwrite);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile() override;  // removes the temporary file unless committed

  Status Write(std::span<const std::uint8_t> bytes) override;
  // fsync, move into place (never replacing a file that appeared meanwhile unless `overwrite`),
  // fsync the directory.
  Status Commit();
  // Moves into place without any fsync, for batches: the caller makes the batch durable at once
  // (SyncFileSystem) before anything records the names, and must treat a named file as
  // possibly empty after a crash until then.
  Status CommitUnsynced();

 private:
  AtomicFile(std::string path, std::string temp_path, int fd, bool overwrite)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), overwrite_(overwrite) {}
  Status LinkUnnamed();
  Status RenameNamed();
  std::string path_;
  std::string temp_path_;  // empty while the file is unnamed (O_TMPFILE)
  int fd_ = -1;
  bool overwrite_ = false;
  bool committed_ = false;
};

// Whole small file into memory (configuration, directory, public keys). Fails past max_bytes.
Result<std::string> ReadSmallFile(const std::string& path, std::size_t max_bytes);
// Atomically writes a small file.
Status WriteFileAtomically(const std::string& path, std::string_view contents, unsigned mode,
                           bool overwrite);
// syncfs(2) on the file system holding `path`: every file written there is durable after it.
Status SyncFileSystem(const std::string& path);
// fsyncs a directory so that a rename or unlink inside it is durable.
Status SyncDirectory(const std::string& dir);
bool PathExists(const std::string& path);

}  // namespace sealdrop
