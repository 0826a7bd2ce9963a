#include "journalist_console/sanitize/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "journalist_console/sanitize/converter_seccomp.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kStderrTail = 600;
constexpr std::size_t kStatusMax = 4096;
constexpr int kStatusFd = 3;   // bubblewrap's --json-status-fd inside the child
constexpr int kSeccompFd = 4;  // bubblewrap's --seccomp (converter_seccomp.h)

// Closes on scope exit; -1 is "none".
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

Error IoError(const std::string& what) {
  return MakeError(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

bool SafeName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

bool IsSymlink(const char* path) {
  struct stat st{};
  return ::lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

// bubblewrap's command line: everything the sandboxed program may see.
std::vector<std::string> BwrapArgs(const SandboxRun& run) {
  std::vector<std::string> a = {run.bwrap_path, "--unshare-all", "--die-with-parent",
                                "--new-session", "--cap-drop",   "ALL",
                                "--ro-bind",     "/usr",         "/usr"};
  // Debian 12 is merged-/usr: /bin, /lib ... are symlinks into /usr.
  for (const char* top : {"bin", "sbin", "lib", "lib64"}) {
    const std::string host = std::string("/") + top;
    if (IsSymlink(host.c_str())) {
      a.insert(a.end(), {"--symlink", std::string("usr/") + top, host});
    } else {
      a.insert(a.end(), {"--ro-bind-try", host, host});
    }
  }
  // Fonts for PDFs that do not embed theirs; Debian's alternatives (symlinks some programs need).
  for (const char* etc : {"/etc/fonts", "/etc/alternatives", "/etc/ld.so.cache", "/etc/mime.types",
                          "/var/cache/fontconfig"}) {
    a.insert(a.end(), {"--ro-bind-try", etc, etc});
  }
  a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
  a.insert(a.end(), {"--ro-bind", run.input_path, "/in/" + run.input_name});
  a.insert(a.end(), {"--bind", run.output_dir, "/out"});
  // The root tmpfs bubblewrap builds (holding the mount points) becomes read-only too.
  a.insert(a.end(), {"--remount-ro", "/", "--chdir", "/out"});
  a.insert(a.end(), {"--seccomp", std::to_string(kSeccompFd)});
  a.insert(a.end(), {"--json-status-fd", std::to_string(kStatusFd), "--"});
  a.insert(a.end(), run.argv.begin(), run.argv.end());
  return a;
}

void SetLimit(int resource, std::uint64_t value) {
  const rlimit lim{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  ::setrlimit(resource, &lim);  // failure leaves the (larger) inherited limit; async-signal-safe
}

// In the forked child: only async-signal-safe calls until execve.
[[noreturn]] void ExecBwrap(const SandboxRun& run, char* const* argv, char* const* envp,
                            int stdin_fd, int stdout_fd, int stderr_fd, int status_fd,
                            int seccomp_fd) {
  // Every source above 9 first, so that no dup2 below clobbers a source or is a no-op that
  // would keep a close-on-exec flag; the copies at 0..4 are inherited, everything else closed.
  const int wanted[] = {stdin_fd, stdout_fd, stderr_fd, status_fd, seccomp_fd};
  int high[5];
  for (int i = 0; i < 5; ++i) high[i] = ::fcntl(wanted[i], F_DUPFD_CLOEXEC, 10);
  for (int i = 0; i < 5; ++i) {
    if (high[i] < 0 || ::dup2(high[i], i) != i) ::_exit(127);
  }
  static_assert(kStatusFd == 3 && kSeccompFd == 4);
  ::close_range(kSeccompFd + 1, ~0u, 0);
  ::setpgid(0, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGXFSZ, SIG_DFL);
  ::signal(SIGPIPE, SIG_DFL);
  SetLimit(RLIMIT_CORE, 0);
  SetLimit(RLIMIT_FSIZE, run.limits.max_file_bytes);
  SetLimit(RLIMIT_AS, run.limits.max_memory_bytes);
  SetLimit(RLIMIT_CPU, static_cast<std::uint64_t>(run.limits.wall_time.count()) + 5);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

// Appends what is readable now; keeps the last `keep` bytes. Returns false at end of stream.
bool Drain(int fd, std::string& into, std::size_t keep) {
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n > 0) {
      into.append(buf.data(), static_cast<std::size_t>(n));
      if (into.size() > keep) into.erase(0, into.size() - keep);
      continue;
    }
    if (n == 0) return false;
    return errno == EAGAIN || errno == EINTR;
  }
}

std::string LastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (const auto nl = text.rfind('\n'); nl != std::string::npos) text.erase(0, nl + 1);
  return text;
}

Error SandboxUnavailable(const std::string& why) {
  return MakeError(ErrorCode::kIo,
                   "the sandbox could not start (" + why +
                       "); nothing was converted. Unprivileged user namespaces must be enabled "
                       "(sysctl kernel.unprivileged_userns_clone=1)");
}

}  // namespace

Result<SandboxOutcome> RunInSandbox(const SandboxRun& run) {
  if (run.argv.empty() || run.argv[0].rfind("/usr/", 0) != 0 || !SafeName(run.input_name) ||
      run.output_dir.empty() || (!run.stdout_name.empty() && !SafeName(run.stdout_name))) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed sandbox run");
  }
  if (::access(run.bwrap_path.c_str(), X_OK) != 0) {
    return MakeError(ErrorCode::kIo,
                     "the sandbox could not start: " + run.bwrap_path +
                         " is missing (install Debian's bubblewrap package); nothing was converted");
  }
  const std::vector<std::string> args = BwrapArgs(run);
  std::vector<char*> argv;
  for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  std::array<char*, 5> envp = {const_cast<char*>("PATH=/usr/bin:/bin"),
                               const_cast<char*>("HOME=/tmp"), const_cast<char*>("TMPDIR=/tmp"),
                               const_cast<char*>("LANG=C.UTF-8"), nullptr};

  Fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (devnull.get() < 0) return IoError("cannot open /dev/null");
  Fd out_file;
  if (!run.stdout_name.empty()) {
    const std::string path = run.output_dir + "/" + run.stdout_name;
    out_file.Reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out_file.get() < 0) return IoError("cannot create the sandbox's output file");
  }
  auto seccomp = ConverterSeccompProgram();
  if (!seccomp) return seccomp.error();
  Fd seccomp_fd(*seccomp);
  // Our read ends never block (one poll loop serves both); the write ends the sandbox inherits
  // stay blocking, so a chatty converter waits for us rather than losing its messages.
  int err_pipe[2], status_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return IoError("pipe");
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) return IoError("pipe");
  Fd status_read(status_pipe[0]), status_write(status_pipe[1]);
  if (::fcntl(err_read.get(), F_SETFL, O_NONBLOCK) != 0 ||
      ::fcntl(status_read.get(), F_SETFL, O_NONBLOCK) != 0) {
    return IoError("pipe");
  }

  const pid_t pid = ::fork();
  if (pid < 0) return IoError("cannot start the sandbox");
  if (pid == 0) {
    ExecBwrap(run, argv.data(), envp.data(), devnull.get(),
              out_file.get() >= 0 ? out_file.get() : devnull.get(), err_write.get(),
              status_write.get(), seccomp_fd.get());
  }
  err_write.Reset();
  status_write.Reset();
  out_file.Reset();

  // glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++, so the system call directly.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return IoError("cannot watch the sandbox");
  }
  const auto deadline = std::chrono::steady_clock::now() + run.limits.wall_time;
  std::string err_tail, status;
  bool err_open = true, status_open = true, timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    std::array<pollfd, 3> fds = {pollfd{pidfd.get(), POLLIN, 0},
                                 pollfd{err_open ? err_read.get() : -1, POLLIN, 0},
                                 pollfd{status_open ? status_read.get() : -1, POLLIN, 0}};
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    if (err_open && fds[1].revents != 0) err_open = Drain(err_read.get(), err_tail, kStderrTail);
    if (status_open && fds[2].revents != 0) {
      status_open = Drain(status_read.get(), status, kStatusMax);
    }
    if (fds[0].revents != 0) break;  // bubblewrap exited
  }
  if (timed_out) {
    // bubblewrap's own process group; the sandbox dies with it (--die-with-parent, PID namespace).
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (err_open) Drain(err_read.get(), err_tail, kStderrTail);
  if (status_open) Drain(status_read.get(), status, kStatusMax);
  if (timed_out) {
    return MakeError(ErrorCode::kLimitExceeded,
                     "the conversion took longer than " +
                         std::to_string(run.limits.wall_time.count()) + " s and was stopped");
  }
  const std::string last_line = LastLine(err_tail);
  // bubblewrap reports the sandboxed program's pid once it has forked it: without it the program
  // never ran (no user namespace ...).
  if (status.find("\"child-pid\"") == std::string::npos) {
    return SandboxUnavailable(last_line.empty() ? "bubblewrap failed" : last_line);
  }
  // Set-up that fails after bubblewrap forked (a mount, the seccomp program) is reported by
  // bubblewrap itself, as its last line, before the program could run.
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 1 && last_line.rfind("bwrap: ", 0) == 0) {
    return SandboxUnavailable(last_line);
  }
  SandboxOutcome outcome;
  outcome.stderr_tail = err_tail;
  if (WIFEXITED(wstatus)) {
    const int code = WEXITSTATUS(wstatus);
    // bubblewrap exits 128+N when the program was killed by signal N.
    if (code > 128 && code < 128 + 65) {
      outcome.signal = code - 128;
    } else {
      outcome.exited = true;
      outcome.exit_code = code;
    }
  } else if (WIFSIGNALED(wstatus)) {
    outcome.signal = WTERMSIG(wstatus);
  }
  return outcome;
}

}  // namespace sealdrop::console
