// Runs a program to completion for tests: argv in, exit status and output out.
// The child gets its own session (no controlling terminal), so a program that would prompt on
// /dev/tty fails fast instead of hanging the test run.
#pragma once

#include <string>
#include <vector>

namespace sealdrop::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Forks and execs argv[0] in a new session with the given descriptors as stdin, stdout and
// stderr (-1 leaves one as it is). Throws on fork failure; the child exits 127 if exec fails.
int SpawnInNewSession(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd);

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_data = "");

// A fresh private directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& contents);
// Names of the entries in `dir` (not . or ..), sorted.
std::vector<std::string> ListDir(const std::string& dir);
// The server's stored items: the non-empty files under DATA_DIR/blobs, sorted (the empty ones
// are spares, server/storage/blob_files.h).
std::vector<std::string> ListItemBlobs(const std::string& data_dir);

}  // namespace sealdrop::testing
