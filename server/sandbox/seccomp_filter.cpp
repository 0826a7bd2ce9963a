#include "server/sandbox/seccomp_filter.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#ifdef SEALDROP_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

namespace sealdrop::server::sandbox {
namespace {

// A call is allowed always, or only when one argument says it is harmless.
enum class Only {
  kAlways,
  kNotExecutable,   // mmap/mprotect: PROT_EXEC clear (arg 2): no code is loaded after start
  kNewThread,       // clone: CLONE_THREAD set (arg 0): threads, never a new process
  kSetNonBlocking,  // ioctl(fd, FIONBIO): Boost.Asio makes each accepted socket non-blocking
  kTerminalQuery,   // ioctl(fd, TCGETS): stdio asks whether stdout is a terminal
  kOwnProcess,      // tgkill: to this process's own threads (abort() raises SIGABRT this way)
};

struct Allowed {
  const char* name;
  Only only = Only::kAlways;
};

// The network server after start-up. Found by tracing the integration tests' servers
// (strace -f through report, login, follow-up, pull, push, receipts, floods and shutdown).
constexpr Allowed kNetworkServer[] = {
    // Memory: the allocator, thread stacks, sodium_malloc's guard pages and locked secrets.
    {"brk"}, {"munmap"}, {"mremap"}, {"madvise"}, {"mlock"}, {"munlock"},
    {"mmap", Only::kNotExecutable}, {"mprotect", Only::kNotExecutable},
    // Threads: the I/O threads start after the filter; locks, thread exit.
    {"clone", Only::kNewThread}, {"futex"}, {"set_robust_list"}, {"rseq"}, {"sched_yield"},
    {"gettid"}, {"getpid"}, {"exit"}, {"exit_group"},
    // Signals: SIGTERM/SIGINT handling (Boost.Asio's signal_set and its pipe), abort().
    {"rt_sigaction"}, {"rt_sigprocmask"}, {"rt_sigreturn"}, {"restart_syscall"}, {"pipe2"},
    {"tgkill", Only::kOwnProcess},
    // Time and randomness: timers, session ids, form tokens, padding.
    {"clock_gettime"}, {"clock_nanosleep"}, {"nanosleep"}, {"gettimeofday"}, {"getrandom"},
    // The event loop.
    {"epoll_wait"}, {"epoll_pwait"}, {"epoll_ctl"}, {"timerfd_settime"}, {"timerfd_gettime"},
    {"poll"}, {"ppoll"},
    // Sockets that already exist: the listeners (accept makes each connection's socket; there
    // is no socket(), bind, listen or connect) and the derivation helpers' socket pairs.
    {"accept"}, {"accept4"}, {"recvfrom"}, {"recvmsg"}, {"sendto"}, {"sendmsg"}, {"shutdown"},
    {"getsockopt"}, {"setsockopt"}, {"getsockname"}, {"getpeername"},
    {"ioctl", Only::kSetNonBlocking}, {"ioctl", Only::kTerminalQuery},
    // Descriptors: reads and writes (stdout, stderr, blobs), SQLite's fcntl locks.
    {"read"}, {"write"}, {"readv"}, {"writev"}, {"pread64"}, {"pwrite64"}, {"lseek"}, {"close"},
    {"fcntl"},
    // The data directory (server/storage, SQLite's unix VFS): spare blobs made, written,
    // emptied, renamed (replies) and their times settled (utimensat), fsync of files and
    // directory, deletions after a receipt, SQLite's journal, start-up's cleanup.
    {"openat"}, {"newfstatat"}, {"fstat"}, {"statx"}, {"fsync"}, {"fdatasync"}, {"ftruncate"},
    {"fallocate"}, {"linkat"}, {"unlink"}, {"unlinkat"}, {"rename"}, {"renameat"},
    {"renameat2"}, {"getdents64"}, {"fchmod"}, {"fchown"}, {"utimensat"}, {"access"},
    {"faccessat"}, {"faccessat2"}, {"getcwd"}, {"geteuid"},
    // Boost.Beast's file body announces a sequential read of each blob a pull sends.
    {"fadvise64"},
    // The disk reserve: fstatvfs on the data directory, opened before the filter
    // (server/util/disk_space.h).
    {"fstatfs"},
    // Shutdown: the derivation helpers are reaped once their sockets are closed.
    {"wait4"},
};

// A derivation helper (server/kdf/kdf_helpers.cpp) after it closed every other descriptor:
// Argon2id's 64 MiB and libsodium's locked buffers, one socket, and the end.
constexpr Allowed kDerivationHelper[] = {
    // Memory.
    {"brk"}, {"munmap"}, {"mremap"}, {"madvise"}, {"mlock"}, {"munlock"},
    {"mmap", Only::kNotExecutable}, {"mprotect", Only::kNotExecutable},
    // Its socket (send/recv are sendto/recvfrom) and, for a broken invariant, stderr.
    {"recvfrom"}, {"sendto"}, {"write"},
    // libsodium seeds its generator on first use (sodium_malloc's canary), in a helper too.
    {"getrandom"},
    // Ending: _exit when the server closes the socket, or abort().
    {"exit"}, {"exit_group"}, {"rt_sigreturn"}, {"restart_syscall"}, {"rt_sigprocmask"},
    {"getpid"}, {"gettid"}, {"tgkill", Only::kOwnProcess},
};

#ifdef SEALDROP_SANITIZED
// AddressSanitizer and UndefinedBehaviorSanitizer (asan preset only, never a release build):
// their reports write to stderr from an alternate signal stack and walk the threads' stacks.
// /proc/self/maps and /proc/self/exe are read once before the filter
// (__sanitizer_sandbox_on_notify), so a report needs no file.
constexpr Allowed kSanitizerReports[] = {
    {"sigaltstack"}, {"sched_yield"}, {"futex"}, {"getpid"}, {"gettid"}, {"rt_sigaction"},
    {"rt_sigprocmask"}, {"write"}, {"exit_group"},
};
// LeakSanitizer's check when the server exits: a tracer task (clone without CLONE_THREAD) makes
// the process dumpable for the moment (prctl), lists its threads in /proc/self/task (the
// runtime's own syscalls use the old open, stat and getdents), stops them with ptrace and waits
// for them. A call missing here kills the tracer only, and the server waits for it for ever.
constexpr Allowed kLeakCheckAtExit[] = {
    {"clone"}, {"ptrace"}, {"prctl"}, {"wait4"}, {"getppid"}, {"open"}, {"openat"},
    {"getdents"}, {"getdents64"}, {"stat"}, {"lstat"}, {"fstat"}, {"readlink"}, {"kill"},
    {"tgkill"}, {"sched_getaffinity"},
};
#endif

// Answered with ENOSYS rather than allowed: clone3 passes its flags in memory, where a filter
// cannot see CLONE_THREAD. glibc then falls back to clone, whose flags the filter checks.
constexpr const char* kAnswerNotImplemented[] = {"clone3"};

std::vector<scmp_arg_cmp> Conditions(Only only) {
  const auto masked = [](unsigned arg, scmp_datum_t mask, scmp_datum_t value) {
    return scmp_arg_cmp{.arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask, .datum_b = value};
  };
  switch (only) {
    case Only::kAlways: return {};
    case Only::kNotExecutable: return {masked(2, PROT_EXEC, 0)};
    case Only::kNewThread: return {masked(0, CLONE_THREAD, CLONE_THREAD)};
    // ioctl's request is 32 bits wide in the kernel: compare the low half only.
    case Only::kSetNonBlocking: return {masked(1, 0xFFFFFFFFu, FIONBIO)};
    case Only::kTerminalQuery: return {masked(1, 0xFFFFFFFFu, TCGETS)};
    case Only::kOwnProcess:
      return {scmp_arg_cmp{.arg = 0,
                           .op = SCMP_CMP_EQ,
                           .datum_a = static_cast<scmp_datum_t>(::getpid()),
                           .datum_b = 0}};
  }
  Die("unknown syscall condition");
}

Error Refused(const char* what, int rc) {
  return MakeError(ErrorCode::kIo, std::string("cannot install the system-call filter (") + what +
                                       "): " + std::strerror(-rc));
}

// Frees the libseccomp context on every path.
class FilterContext {
 public:
  FilterContext() : ctx_(seccomp_init(SCMP_ACT_KILL_PROCESS)) {}
  ~FilterContext() {
    if (ctx_) seccomp_release(ctx_);
  }
  FilterContext(const FilterContext&) = delete;
  FilterContext& operator=(const FilterContext&) = delete;
  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

Status AddRules(scmp_filter_ctx ctx, std::span<const Allowed> table, bool sanitized) {
  for (const Allowed& a : table) {
    const int nr = seccomp_syscall_resolve_name(a.name);
    if (nr == __NR_SCMP_ERROR) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("the system-call filter names an unknown call: ") + a.name);
    }
    // In a sanitized build clone is allowed whatever its flags (kLeakCheckAtExit): a narrower
    // rule for the same call would be redundant, and libseccomp refuses to mix the two.
    std::vector<scmp_arg_cmp> cmp =
        sanitized && a.only == Only::kNewThread ? std::vector<scmp_arg_cmp>{} : Conditions(a.only);
    const int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr,
                                          static_cast<unsigned>(cmp.size()), cmp.data());
    // -EEXIST: the same call allowed twice (a profile and a sanitizer table overlap).
    if (rc != 0 && rc != -EEXIST) return Refused(a.name, rc);
  }
  return Status::Ok();
}

}  // namespace

const char* SyscallProfileName(SyscallProfile profile) {
  switch (profile) {
    case SyscallProfile::kNetworkServer: return "network server";
    case SyscallProfile::kDerivationHelper: return "derivation helper";
  }
  return "unknown";
}

Status InstallSyscallFilter(SyscallProfile profile) {
  FilterContext filter;
  if (!filter.get()) return Refused("libseccomp", -ENOMEM);
  scmp_filter_ctx ctx = filter.get();
  // A call made through another ABI (i386's int 0x80, x32) is outside the table: kill too.
  if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc != 0) {
    return Refused("bad architecture action", rc);
  }
  // Threads started before the filter (the worker pools) get it too.
  if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1); rc != 0) {
    return Refused("thread synchronisation", rc);
  }
#ifdef SEALDROP_SANITIZED
  constexpr bool kSanitized = true;
  __sanitizer_sandbox_on_notify(nullptr);
  if (auto st = AddRules(ctx, kSanitizerReports, kSanitized); !st) return st;
  if (profile == SyscallProfile::kNetworkServer) {
    if (auto st = AddRules(ctx, kLeakCheckAtExit, kSanitized); !st) return st;
  }
#else
  constexpr bool kSanitized = false;
#endif
  const std::span<const Allowed> table = profile == SyscallProfile::kNetworkServer
                                             ? std::span<const Allowed>(kNetworkServer)
                                             : std::span<const Allowed>(kDerivationHelper);
  if (auto st = AddRules(ctx, table, kSanitized); !st) return st;
  if (profile == SyscallProfile::kNetworkServer) {
    for (const char* name : kAnswerNotImplemented) {
      const int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;  // a libseccomp too old to know it: already killed
      if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0); rc != 0) {
        return Refused(name, rc);
      }
    }
  }
  if (int rc = seccomp_load(ctx); rc != 0) return Refused(SyscallProfileName(profile), rc);
  return Status::Ok();
}

}  // namespace sealdrop::server::sandbox
