// The system-call allow-lists, each installed by the module's own function in a forked child
// (a filter is irreversible): a forbidden call kills the child with SIGSYS, the work the server
// does after start-up still runs. The real server under its filter: tests/integration/sandbox_test.cpp.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "server/sandbox/core_dumps.h"
#include "server/sandbox/seccomp_filter.h"
#include "tests/support/process.h"

namespace sealdrop::server::sandbox {
namespace {

constexpr int kFilterRefused = 90;  // the child's exit code when the filter could not be installed
constexpr int kFinished = 0;

// Forks; the child installs `profile`, runs `then` and exits with its value. Returns the
// child's wait status.
int InChild(SyscallProfile profile, const std::function<int()>& then) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (!InstallSyscallFilter(profile)) _exit(kFilterRefused);
    _exit(then());
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool KilledBySigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

TEST(SeccompFilter, ExecveKillsTheServer) {
  const int status = InChild(SyscallProfile::kNetworkServer, [] {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execve("/bin/true", argv, environ);
    return kFinished;  // not reached: execve either runs /bin/true (exit 0) or kills
  });
  EXPECT_TRUE(KilledBySigsys(status)) << Describe(status);
}

TEST(SeccompFilter, AnyNewSocketKillsTheServer) {
  for (const int family : {AF_PACKET, AF_INET, AF_UNIX, AF_NETLINK}) {
    const int status = InChild(SyscallProfile::kNetworkServer, [family] {
      ::socket(family, SOCK_RAW | SOCK_CLOEXEC, 0);
      return kFinished;
    });
    EXPECT_TRUE(KilledBySigsys(status)) << "family " << family << ": " << Describe(status);
  }
}

TEST(SeccompFilter, ConnectAndListenKillTheServer) {
  // Listeners are bound before the filter; a compromised process may not open new ones or
  // connect out, even with a socket it already holds.
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  const int listen_status = InChild(SyscallProfile::kNetworkServer, [&] {
    ::listen(fds[0], 1);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(listen_status)) << Describe(listen_status);
  const int connect_status = InChild(SyscallProfile::kNetworkServer, [&] {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fds[0], reinterpret_cast<sockaddr*>(&to), sizeof to);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(connect_status)) << Describe(connect_status);
  ::close(fds[0]);
  ::close(fds[1]);
}

#ifndef SEALDROP_SANITIZED
// AddressSanitizer builds allow clone and ptrace (LeakSanitizer's tracer at exit): these two
// hold in release and debug builds only.
TEST(SeccompFilter, ForkKillsTheServer) {
  const int status = InChild(SyscallProfile::kNetworkServer, [] {
    const pid_t child = static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0));
    if (child == 0) _exit(0);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(status)) << Describe(status);
}

TEST(SeccompFilter, PtraceKillsTheServer) {
  const pid_t parent = ::getpid();  // the test process (getppid is not allowed either)
  const int status = InChild(SyscallProfile::kNetworkServer, [parent] {
    ::syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, parent, nullptr, nullptr);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(status)) << Describe(status);
}
#endif

TEST(SeccompFilter, ExecutableMemoryKillsTheServer) {
  const int status = InChild(SyscallProfile::kNetworkServer, [] {
    void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? 1 : kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(status)) << Describe(status);
}

TEST(SeccompFilter, MountAndNamespacesKillTheServer) {
  const int mount_status = InChild(SyscallProfile::kNetworkServer, [] {
    ::syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, nullptr);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(mount_status)) << Describe(mount_status);
  const int unshare_status = InChild(SyscallProfile::kNetworkServer, [] {
    ::syscall(SYS_unshare, 0);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(unshare_status)) << Describe(unshare_status);
}

TEST(SeccompFilter, TheServersWorkStillRuns) {
  const testing::TempDir dir;
  const std::string path = dir.path();
  const int status = InChild(SyscallProfile::kNetworkServer, [&path] {
    // A new thread (clone with CLONE_THREAD, after clone3 is answered ENOSYS).
    int from_thread = 0;
    std::thread t([&from_thread] { from_thread = 7; });
    t.join();
    if (from_thread != 7) return 2;
    // A blob as the store writes it: an unnamed file in the directory, fsynced, linked, the
    // directory fsynced; then deleted.
    const int d = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int f = ::open(path.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (d < 0 || f < 0) return 3;
    if (::write(f, "sealed", 6) != 6 || ::fsync(f) != 0) return 4;
    const std::string proc = "/proc/self/fd/" + std::to_string(f);
    if (::linkat(AT_FDCWD, proc.c_str(), d, "blob", AT_SYMLINK_FOLLOW) != 0) return 5;
    if (::fsync(d) != 0 || ::unlinkat(d, "blob", 0) != 0) return 6;
    ::close(f);
    ::close(d);
    // Memory that is not executable, and a file descriptor made non-blocking.
    void* p = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || ::munmap(p, 1 << 20) != 0) return 7;
    return kFinished;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == kFinished) << Describe(status);
}

TEST(SeccompFilter, AbortIsStillASigabrt) {
  // A broken invariant (Die) must stay visible as what it is, not become a SIGSYS.
  const int status = InChild(SyscallProfile::kNetworkServer, [] {
    ::signal(SIGABRT, SIG_DFL);
    std::abort();
    return kFinished;
  });
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) << Describe(status);
}

TEST(SeccompFilter, TheDerivationHelperMayOpenNothing) {
  const int open_status = InChild(SyscallProfile::kDerivationHelper, [] {
    ::open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(open_status)) << Describe(open_status);
  // What the network server may do, the helper may not: no accept, no thread.
  const int accept_status = InChild(SyscallProfile::kDerivationHelper, [] {
    ::accept(0, nullptr, nullptr);
    return kFinished;
  });
  EXPECT_TRUE(KilledBySigsys(accept_status)) << Describe(accept_status);
}

TEST(SeccompFilter, TheDerivationHelpersWorkStillRuns) {
  // A request waits on the socket; the helper reads it, takes Argon2id's 64 MiB, answers.
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  ASSERT_EQ(::send(fds[0], "L", 1, MSG_NOSIGNAL), 1);
  const int status = InChild(SyscallProfile::kDerivationHelper, [&fds] {
    char buf[8];
    if (::recv(fds[1], buf, sizeof buf, 0) != 1) return 2;
    void* p = ::mmap(nullptr, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || ::munmap(p, 64 << 20) != 0) return 3;
    return ::send(fds[1], "A", 1, MSG_NOSIGNAL) == 1 ? kFinished : 4;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == kFinished) << Describe(status);
  char answer = 0;
  EXPECT_EQ(::recv(fds[0], &answer, 1, MSG_DONTWAIT), 1);
  EXPECT_EQ(answer, 'A');
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(CoreDumps, AreOffAndTheProcessIsNotDumpable) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!DisableCoreDumps()) _exit(1);
    rlimit core{};
    if (::getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0) _exit(2);
    _exit(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 3);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Describe(status);
}

}  // namespace
}  // namespace sealdrop::server::sandbox
