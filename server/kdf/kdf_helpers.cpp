#include "server/kdf/kdf_helpers.h"

#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/log.h"
#include "server/sandbox/seccomp_filter.h"

namespace sealdrop::server {
namespace {

constexpr std::uint8_t kDerive = 'D';
constexpr std::uint8_t kLookup = 'L';
constexpr std::uint8_t kOk = 0;
constexpr std::uint8_t kMalformed = 1;
constexpr std::uint8_t kNoMemory = 2;
constexpr std::size_t kMaxCodenameBytes = 512;  // NormalizeCodename refuses anything longer
constexpr std::size_t kIdentityBytes = 1 + 3 * 32;
constexpr int kHelperFd = 3;

Error Malformed() { return MakeError(ErrorCode::kInvalidArgument, "that is not a valid codename"); }
Error HelperGone() { return MakeError(ErrorCode::kIo, "the derivation helper is not answering"); }

// The helper's whole life: answer requests until the socket closes.
[[noreturn]] void HelperMain(const CodenameDeriver& deriver) {
  std::uint8_t request[1 + kMaxCodenameBytes + 1];
  std::uint8_t answer[kIdentityBytes];
  for (;;) {
    const ssize_t n = ::recv(kHelperFd, request, sizeof request, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);
    std::size_t len = 1;
    answer[0] = kMalformed;
    const auto size = static_cast<std::size_t>(n);
    if (request[0] == kDerive && size <= 1 + kMaxCodenameBytes) {
      auto id = deriver.Derive(std::string_view(reinterpret_cast<const char*>(request + 1), size - 1));
      if (id) {
        answer[0] = kOk;
        std::memcpy(answer + 1, id->lookup_id.data(), 32);
        std::memcpy(answer + 33, id->key_pair.public_key.bytes.data(), 32);
        std::memcpy(answer + 65, id->key_pair.secret.data(), 32);
        len = kIdentityBytes;
      } else if (id.error().code != ErrorCode::kInvalidArgument) {
        answer[0] = kNoMemory;
      }
    } else if (request[0] == kLookup && size == 1 + kSourceAuthBytes) {
      std::array<std::uint8_t, kSourceAuthBytes> auth{};
      std::memcpy(auth.data(), request + 1, auth.size());
      const auto lookup = deriver.LookupId(auth);
      answer[0] = kOk;
      std::memcpy(answer + 1, lookup.data(), lookup.size());
      len = 1 + lookup.size();
    }
    while (::send(kHelperFd, answer, len, MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
    sodium_memzero(request, sizeof request);
    sodium_memzero(answer, sizeof answer);
  }
}

// Forks one helper; returns the parent's end of its socket and its pid.
Result<std::pair<int, pid_t>> ForkHelper(const CodenameDeriver& deriver) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return MakeError(ErrorCode::kIo, std::string("cannot make a helper socket: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(sv[0]);
    ::close(sv[1]);
    return MakeError(ErrorCode::kIo, std::string("cannot start a derivation helper: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(0);
    ::prctl(PR_SET_NAME, "sealdrop-kdf");
    // Signals meant for the server (a terminal's Ctrl-C, a supervisor's SIGTERM) are not the
    // helper's: it ends when the server closes its socket, or dies with it.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    if (::dup2(sv[1], kHelperFd) != kHelperFd) _exit(1);
    ::close_range(kHelperFd + 1, ~0U, 0);  // the store, the data directory, the other helpers
    // Its own allow-list: memory and this socket. Failing, it exits, and its requests get 503s.
    if (!sandbox::InstallSyscallFilter(sandbox::SyscallProfile::kDerivationHelper)) _exit(1);
    HelperMain(deriver);
  }
  ::close(sv[1]);
  return std::make_pair(sv[0], pid);
}

}  // namespace

Result<std::unique_ptr<HelperDeriver>> HelperDeriver::Spawn(std::span<const std::uint8_t> instance_secret,
                                                            std::size_t derive_helpers) {
  const CodenameDeriver deriver(instance_secret);
  std::unique_ptr<HelperDeriver> out(new HelperDeriver());
  for (std::size_t i = 0; i <= derive_helpers; ++i) {
    auto helper = ForkHelper(deriver);
    if (!helper) return helper.error();  // the destructor stops those already started
    out->pids_.push_back(helper->second);
    if (i < derive_helpers) {
      out->derive_fds_.push_back(helper->first);
      out->free_.push_back(helper->first);
    } else {
      out->lookup_fd_ = helper->first;
    }
  }
  return out;
}

HelperDeriver::~HelperDeriver() {
  for (int fd : derive_fds_) ::close(fd);
  if (lookup_fd_ >= 0) ::close(lookup_fd_);
  for (pid_t pid : pids_) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<std::size_t> HelperDeriver::Exchange(int fd, std::span<const std::uint8_t> request,
                                            std::span<std::uint8_t> answer) {
  ssize_t n;
  while ((n = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(request.size())) return HelperGone();
  while ((n = ::recv(fd, answer.data(), answer.size(), 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return HelperGone();
  return static_cast<std::size_t>(n);
}

Result<SourceIdentity> HelperDeriver::Derive(std::string_view typed) const {
  if (typed.size() > kMaxCodenameBytes) return Malformed();
  SecretBuffer request(1 + typed.size());
  request.data()[0] = kDerive;
  std::memcpy(request.data() + 1, typed.data(), typed.size());
  SecretBuffer answer(kIdentityBytes);
  int fd;
  {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [this] { return !free_.empty(); });
    fd = free_.back();
    free_.pop_back();
  }
  auto got = Exchange(fd, request.span(), std::span(answer.data(), answer.size()));
  {
    std::lock_guard lock(mu_);
    free_.push_back(fd);
  }
  free_cv_.notify_one();
  if (!got) {
    log::Error("derivation helper gone");
    return got.error();
  }
  const std::uint8_t* a = answer.data();
  if (a[0] == kMalformed) return Malformed();
  if (a[0] != kOk || *got != kIdentityBytes) {
    return MakeError(ErrorCode::kLimitExceeded, "not enough memory to derive a codename key");
  }
  SourceIdentity id{{}, KeyPair{PublicKey{KeyRole::kSource, {}}, SecretBuffer::CopyOf(std::span(a + 65, 32))}};
  std::memcpy(id.lookup_id.data(), a + 1, 32);
  std::memcpy(id.key_pair.public_key.bytes.data(), a + 33, 32);
  return id;
}

Result<std::array<std::uint8_t, kLookupIdBytes>> HelperDeriver::LookupId(
    const std::array<std::uint8_t, kSourceAuthBytes>& auth) const {
  std::array<std::uint8_t, 1 + kSourceAuthBytes> request{};
  request[0] = kLookup;
  std::memcpy(request.data() + 1, auth.data(), auth.size());
  std::array<std::uint8_t, 1 + kLookupIdBytes> answer{};
  Result<std::size_t> got = HelperGone();
  {
    std::lock_guard lock(lookup_mu_);
    got = Exchange(lookup_fd_, request, answer);
  }
  if (!got || *got != answer.size() || answer[0] != kOk) {
    log::Error("lookup helper gone");
    return HelperGone();
  }
  std::array<std::uint8_t, kLookupIdBytes> lookup{};
  std::memcpy(lookup.data(), answer.data() + 1, lookup.size());
  return lookup;
}

}  // namespace sealdrop::server
