#include "server/ops/health.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/clock.h"
#include "crypto/directory.h"
#include "crypto/public_key_file.h"
#include "server/storage/backlog.h"
#include "server/storage/store.h"
#include "server/util/disk_space.h"

namespace sealdrop::server {
namespace {

// Connects to "unix:PATH" or "127.0.0.1:PORT"; -1 on failure.
int Connect(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    const std::string path = address.substr(5);
    if (path.size() >= sizeof sa.sun_path) return -1;
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
  }
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1) return -1;
  const int port = std::atoi(address.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return -1;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// True when the source listener answers GET / with 200 within 5 s. Behind Tor's PROXY header
// the request carries one, as tor would send it (circuit 0).
bool SourceAnswers(const ServerConfig& config) {
  const int fd = Connect(config.listen);
  if (fd < 0) return false;
  std::string request;
  if (config.source_proxy_protocol) request = "PROXY TCP6 fc00:dead:beef:4dad::0:0 ::1 65535 80\r\n";
  request += "GET / HTTP/1.1\r\nHost: health\r\nConnection: close\r\n\r\n";
  bool ok = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size());
  std::string head;
  // 5 s in all, however the answer trickles in.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ok && head.size() < 64) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[64];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return ok && head.rfind("HTTP/1.1 200 ", 0) == 0;
}

// Critical reasons first, each list in the order found.
struct Verdict {
  std::vector<std::string> critical, warning;
  void Critical(std::string w) { critical.push_back(std::move(w)); }
  void Warning(std::string w) { warning.push_back(std::move(w)); }
};

}  // namespace

int RunHealth(const ServerConfig& config) {
  Verdict verdict;
  const bool up = SourceAnswers(config);
  std::printf("up: %s\n", up ? "yes" : "no");
  if (!up) verdict.Critical("the source listener does not answer");

  const std::string today = TodayUtc();
  auto root = ReadPublicKeyFile(config.root_public_key, KeyRole::kRoot);
  auto directory = root ? ForceDirectory::Load(config.directory, *root, today,
                                               ForceDirectory::Expiry::kAccept)
                        : Result<ForceDirectory>(root.error());
  if (!directory) {
    std::printf("directory: unreadable\n");
    verdict.Critical("the force directory cannot be read: " + directory.error().message);
  } else {
    const long long left = DaysBetween(today, directory->expires());
    std::printf("directory: serial %lld, expires %s, %lld days left\n", directory->serial(),
                directory->expires().c_str(), left);
    if (left < 0) {
      verdict.Critical("the force directory has expired: reports are refused");
    } else if (left <= kDirectoryWarningDays) {
      verdict.Warning("the force directory expires in " + std::to_string(left) + " days");
    }
  }

  auto store = SealedStore::OpenReadOnly(config.data_dir);
  auto backlog = store ? (*store)->WaitingByForce() : Result<std::vector<ForceBacklog>>(store.error());
  auto stored = store ? (*store)->StoredBytes() : Result<std::uint64_t>(store.error());
  if (!backlog || !stored) {
    verdict.Critical("the index cannot be read: " +
                     (!backlog ? backlog.error().message : stored.error().message));
  } else {
    for (const auto& b : *backlog) {
      const auto age = AgeInDays(b.oldest_day, today);
      std::printf("waiting: %s %zu, the oldest %lld day(s) old\n", b.force.c_str(), b.waiting,
                  static_cast<long long>(age));
      if (age >= kWaitingWarningDays) {
        verdict.Warning(b.force + " has not collected for " + std::to_string(age) + " days");
      }
    }
    std::printf("stored: %llu MiB of %llu MiB\n",
                static_cast<unsigned long long>((*stored + (1u << 20) - 1) >> 20),
                static_cast<unsigned long long>(config.max_stored_mb));
  }

  auto disk = DiskSpace::Open(config.data_dir);
  auto free = disk ? disk->FreeBytes() : Result<std::uint64_t>(disk.error());
  if (!free) {
    verdict.Critical("the data directory's free space cannot be read");
  } else {
    std::printf("disk: %llu MiB free, reserve %llu MiB\n",
                static_cast<unsigned long long>(*free >> 20),
                static_cast<unsigned long long>(config.reserve_mb));
    if (*free < (config.reserve_mb << 20)) verdict.Critical("the disk is under the reserve");
  }

  std::string why;
  for (const auto* list : {&verdict.critical, &verdict.warning}) {
    for (const auto& w : *list) why += (why.empty() ? "" : "; ") + w;
  }
  const bool critical = !verdict.critical.empty();
  if (why.empty()) {
    std::printf("health: ok\n");
  } else {
    std::printf("health: %s: %s\n", critical ? "critical" : "warning", why.c_str());
  }
  if (std::fflush(stdout) != 0) return 1;
  return critical ? 1 : why.empty() ? 0 : 3;
}

}  // namespace sealdrop::server
