// Runs one converter program (pdftoppm, jpegtopnm, mat2 ...) on an untrusted file inside a
// bubblewrap sandbox, Dangerzone's way: the program may be exploited by the file, so it gets
//   - no network (new network namespace with only a down loopback), no IPC, no other processes
//     (new PID namespace), no capabilities, a new session (no terminal injection);
//   - a read-only view of /usr (the programs), a few read-only /etc files, the input file
//     read-only, a private /tmp (tmpfs, gone with the sandbox) and exactly one writable host
//     path: `output_dir`, a fresh directory the caller made for this run and reads afterwards;
//   - limits: wall time (the whole sandbox is killed), address space, size of any file written
//     (RLIMIT_FSIZE, so a decompression bomb cannot fill the disk), CPU time, no core dumps.
//   - a seccomp deny-list (converter_seccomp.h): no new namespaces, no sockets but AF_UNIX, no
//     ptrace, bpf, io_uring, keyrings or modules.
// If bubblewrap cannot build the sandbox (no user namespaces, not installed) the run fails with a
// kIo error and the program never runs: there is no unsandboxed fallback. Works as root (CI) and as an ordinary user (unprivileged user namespaces).
// Not thread-safe with other code that forks concurrently (it forks); one run at a time per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace sealdrop::console {

struct SandboxLimits {
  std::chrono::seconds wall_time{120};
  std::uint64_t max_file_bytes = 512ull << 20;  // any one file the program writes
  std::uint64_t max_memory_bytes = 2ull << 30;  // address space of every process in the sandbox
};

struct SandboxRun {
  std::vector<std::string> argv;  // argv[0] an absolute path under /usr; seen inside the sandbox
  std::string input_path;         // host file, bound read-only at /in/<input_name>
  std::string input_name;         // e.g. "input.pdf": [A-Za-z0-9._-], no leading dot
  std::string output_dir;         // host directory, bound read-write at /out (the working dir)
  std::string stdout_name;        // if set, the program's stdout goes to /out/<stdout_name>
  SandboxLimits limits;
  std::string bwrap_path = "/usr/bin/bwrap";  // tests point it at a failing stand-in
};

struct SandboxOutcome {
  bool exited = false;  // false: killed by `signal` (SIGXFSZ = a file reached max_file_bytes)
  int exit_code = 0;
  int signal = 0;
  std::string stderr_tail;  // the last few hundred bytes the program wrote to stderr, untrusted
  bool ok() const { return exited && exit_code == 0; }
};

// Errors: kIo "the sandbox could not start ..." (bubblewrap missing or refused: the program did
// not run); kLimitExceeded when the wall time ran out (the sandbox was killed); kInvalidArgument
// for a malformed SandboxRun. A program that ran and failed is an outcome, not an error.
Result<SandboxOutcome> RunInSandbox(const SandboxRun& run);

}  // namespace sealdrop::console
