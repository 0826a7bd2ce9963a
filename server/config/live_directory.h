// LiveDirectory: the signed force directory the server works from, renewed without a restart
// (docs/server.md "The force directory"). The server holds a snapshot of it (Current()) for as
// long as a request uses its entries; Reload() swaps in a newer one.
//
// Reload() re-reads the file and verifies it for today: it is called on SIGHUP, when the file
// changes (checked each minute) and when the day changes (Find() answers for the day a directory
// was verified for). The current directory stays when the new file cannot be read, is not signed
// by the pinned root, is not valid yet, or has a lower serial (a rollback). A directory past its
// expiry day is still served — pages, logins and replies go on — but has expired(): the source
// site refuses new reports and follow-ups with a clear page, and the force API refuses what
// needs a force's keys, until a renewed directory is installed.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "crypto/directory.h"

namespace sealdrop::server {

class LiveDirectory {
 public:
  using Today = std::function<std::string()>;

  // Loads `path` (a directory past its expiry is accepted, as above). Fails as
  // ForceDirectory::Load does otherwise: a server must not start on a file it cannot trust.
  static Result<std::unique_ptr<LiveDirectory>> Open(std::string path, PublicKey root,
                                                     Today today);
  // A directory that is never reloaded (tests, fuzzing).
  explicit LiveDirectory(ForceDirectory fixed);

  std::shared_ptr<const ForceDirectory> Current() const;

  enum class Outcome { kSame, kRefreshed, kRenewed };
  // kRenewed: a higher serial is now current; kRefreshed: the same serial re-verified for a new
  // day; kSame: nothing changed. An error names why the file was not taken (the current one
  // stays).
  Result<Outcome> Reload();
  // Whether the file or the day changed since the last (re)load: cheap, for the minute check.
  bool Stale() const;
  // Days from today to the expiry day (0 on the last day, negative once expired).
  int DaysLeft() const;

 private:
  LiveDirectory(std::string path, PublicKey root, Today today,
                std::shared_ptr<const ForceDirectory> first);
  struct FileStamp {
    long long mtime_ns = -1, size = -1, inode = -1;
    bool operator==(const FileStamp&) const = default;
  };
  FileStamp Stamp() const;

  std::string path_;  // empty: fixed
  PublicKey root_;
  Today today_;
  mutable std::mutex mu_;
  std::shared_ptr<const ForceDirectory> current_;
  FileStamp stamp_;
};

}  // namespace sealdrop::server
