// Floods against a real server on loopback (issue 13), each bounded: small caps set by flags, a
// few hundred sockets, a few seconds. While each runs, a visitor still gets the landing page every
// time, and where it applies a reporter's report with a file goes through and a returning
// reporter logs in with their codename:
//   - slowloris and a connection flood: at the cap the connection that has waited longest for a
//     request header is dropped (server/http/waiting_list.h);
//   - slow uploads: bodies have their own share of the cap, a per-circuit cap behind Tor, and the
//     slowest trickle is dropped to admit a new body (server/http/upload_slots.h);
//   - a login flood from rotating circuits: no server-wide guess limit, a derivation queue fair
//     across circuits (server/util/worker_pool.h);
//   - a session flood (more new sessions than the store keeps).
// Times are printed on lines starting "floods:" (bench/floods.sh collects them), never asserted:
// this machine is shared.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/codename.h"

#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using Clock = std::chrono::steady_clock;
using testing::FormPart;
using testing::HttpReply;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TestInstance;

long long Ms(Clock::duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Times of one kind of request under a flood: printed as "floods: FLOOD WHAT worst W ms median
// M ms (n=N)".
struct Times {
  std::vector<Clock::duration> all;
  void Add(Clock::duration d) { all.push_back(d); }
  void Print(const char* flood, const char* what) {
    if (all.empty()) return;
    std::sort(all.begin(), all.end());
    std::printf("floods: %s %s worst %lld ms median %lld ms (n=%zu)\n", flood, what,
                Ms(all.back()), Ms(all[all.size() / 2]), all.size());
    std::fflush(stdout);
  }
};

std::string TorProxyLine(std::uint32_t circuit) {
  char line[128];
  std::snprintf(line, sizeof line, "PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 65535 80\r\n",
                circuit >> 16, circuit & 0xffff);
  return line;
}

// A visitor: the landing page, timed.
void LandingPage(const std::string& address, const std::string& prefix, Times& times, int i) {
  SourceClient visitor(address);
  visitor.set_prefix(prefix);
  const auto t0 = Clock::now();
  const HttpReply reply = visitor.Get("/");
  times.Add(Clock::now() - t0);
  EXPECT_EQ(reply.status, 200) << "landing page " << i;
}

// A new report with a file, as a browser sends it; returns the codename ("" when refused).
std::string ReportWithAFile(const std::string& address, const std::string& prefix, Times* times) {
  SourceClient reporter(address);
  reporter.set_prefix(prefix);
  const auto t0 = Clock::now();
  EXPECT_EQ(reporter.Get("/report").status, 200);
  const HttpReply r = reporter.PostMultipart(
      "/report", {{"csrf", reporter.csrf()},
                  {"force", "MET"},
                  {"category", "corruption"},
                  {"role", "officer"},
                  {"what", "The sergeant sold seized drugs back to dealers."},
                  FormPart("file", std::string(256 * 1024, 'x'), true, "ledger.pdf",
                           "application/pdf")});
  if (times) times->Add(Clock::now() - t0);
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 2000);
  return testing::ElementText(r.body, "codename");
}

// A returning reporter logs in with their codename: the login page, then the form.
void HonestLogin(const std::string& address, const std::string& prefix, const std::string& codename,
                 Times& times) {
  SourceClient reporter(address);
  reporter.set_prefix(prefix);
  const auto t0 = Clock::now();
  ASSERT_EQ(reporter.Get("/login").status, 200);
  const HttpReply r = reporter.PostForm("/login", {{"csrf", reporter.csrf()}, {"codename", codename}});
  times.Add(Clock::now() - t0);
  EXPECT_EQ(r.status, 303) << r.body.substr(0, 2000);
  EXPECT_EQ(r.Header("Location"), "/inbox");
}

constexpr char kUnfinished[] = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";

int OpenUnfinished(const std::string& address) {
  const int fd = testing::ConnectTo(address);
  if (fd >= 0) (void)::send(fd, kUnfinished, sizeof kUnfinished - 1, MSG_NOSIGNAL);
  return fd;
}

TEST(Floods, TheLandingPageIsServedDuringSlowlorisAndAConnectionFlood) {
  TestInstance instance;
  // A long header timeout: the attack's connections are not timed out during the test.
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                           {"--max-connections", "64", "--header-timeout", "120"}));
  const std::string codename = ReportWithAFile(server.address(), "", nullptr);
  ASSERT_TRUE(NormalizeCodename(codename).ok()) << codename;
  std::atomic<bool> stop{false};

  // Slowloris: 150 connections whose header never ends, each fed one byte every 200 ms.
  std::mutex mu;
  std::vector<int> slow;
  for (int i = 0; i < 150; ++i) slow.push_back(OpenUnfinished(server.address()));
  std::thread dribble([&] {
    while (!stop) {
      {
        std::lock_guard lock(mu);
        for (int fd : slow) (void)::send(fd, "a", 1, MSG_NOSIGNAL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  // A connection flood: about a thousand new unfinished connections a second (far more than the
  // cap admits), 200 held at a time. Bounded: an unbounded loop on loopback would fill the
  // kernel's accept queue itself, which no server can help (through Tor, the onion service's
  // stream caps and PoW bound the rate).
  std::atomic<int> opened{0};
  std::thread flood([&] {
    std::deque<int> held;
    while (!stop) {
      const int fd = OpenUnfinished(server.address());
      if (fd < 0) continue;
      ++opened;
      held.push_back(fd);
      if (held.size() > 200) {
        ::close(held.front());
        held.pop_front();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (int fd : held) ::close(fd);
  });

  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int served = 0;
  Times times, logins;
  for (int i = 0; i < 20; ++i) {
    const auto t0 = Clock::now();
    const auto reply = SourceClient(server.address()).Get("/");
    times.Add(Clock::now() - t0);
    // Served, not refused: without eviction every one of these is closed unanswered. How long it
    // took is a figure (bench/floods.sh), not an assertion: this machine is shared.
    EXPECT_EQ(reply.status, 200) << "request " << i;
    served += reply.status == 200;
    if (i % 7 == 3) HonestLogin(server.address(), "", codename, logins);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  flood.join();
  dribble.join();
  for (int fd : slow) ::close(fd);
  EXPECT_EQ(served, 20);
  EXPECT_GT(opened.load(), 200) << "the flood must have run";
  server.Stop(SIGTERM);
  EXPECT_NE(server.Stderr().find("connection evicted"), std::string::npos);
  std::printf("floods: slowloris+connections: %d flood connections opened\n", opened.load());
  times.Print("slowloris+connections", "landing page");
  logins.Print("slowloris+connections", "login");
}

// A crowd of slow uploads: `count` connections, each a follow-up form (a valid form token, so
// each is a real upload the server must read) sending one body byte every `interval`. One that the
// server drops or answers is opened again at once: the crowd keeps coming back.
class SlowUploadCrowd {
 public:
  // `prefix(n)`: what the n-th connection opened sends first (Tor's PROXY header, or nothing).
  SlowUploadCrowd(std::string address, std::function<std::string(int)> prefix, int count)
      : address_(std::move(address)), prefix_(std::move(prefix)) {
    SourceClient form(address_);
    form.set_prefix(prefix_(opened_++));
    EXPECT_EQ(form.Get("/report").status, 200);  // a form token and its cookie
    const std::string boundary = "----crowd";
    const std::string body_start = "--" + boundary +
                                   "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" +
                                   form.csrf() + "\r\n--" + boundary +
                                   "\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n";
    head_ = "POST /followup HTTP/1.1\r\nHost: x.onion\r\nCookie: " + form.cookie() +
            "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
            "\r\nContent-Length: 1000000\r\n\r\n" + body_start;
    for (int i = 0; i < count; ++i) fds_.push_back(Open());
  }
  ~SlowUploadCrowd() {
    for (int fd : fds_) if (fd >= 0) ::close(fd);
  }

  // One byte on every connection, then reopen those the server dropped or answered.
  void Round() {
    for (int& fd : fds_) {
      pollfd p{fd, POLLIN | POLLRDHUP, 0};
      const bool answered = fd < 0 || ::poll(&p, 1, 0) != 0;
      if (answered || ::send(fd, "a", 1, MSG_NOSIGNAL) != 1) {
        if (fd >= 0) ::close(fd);
        fd = Open();
      }
    }
  }
  int opened() const { return opened_; }

 private:
  int Open() {
    const int fd = testing::ConnectTo(address_);
    if (fd < 0) return -1;
    const std::string bytes = prefix_(opened_++) + head_;
    // A head not sent whole would make this a slowloris, not an upload: reopen it next round.
    if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  std::string address_;
  std::function<std::string(int)> prefix_;
  std::string head_;
  std::vector<int> fds_;
  int opened_ = 0;
};

// 100 slow uploads against a cap of 64 connections (32 for bodies), each trickling a byte a second
// — issue 13's attack (256 uploads, a byte every 20 s) scaled down. Pages, a report with a file and
// a login all get through: for each, the slowest trickle is dropped.
void SlowUploadFlood(bool behind_tor) {
  TestInstance instance;
  std::vector<std::string> flags = {"--max-connections", "64", "--header-timeout", "120"};
  if (behind_tor) flags.push_back("--source-proxy-protocol");
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", flags));
  // The honest reporter's circuit; the crowd's come three connections to a circuit, so the
  // per-circuit cap (2) refuses every third.
  const std::string honest = behind_tor ? TorProxyLine(1) : "";
  auto crowd_prefix = [behind_tor](int n) {
    return behind_tor ? TorProxyLine(100 + static_cast<std::uint32_t>(n) / 3) : std::string();
  };
  const std::string codename = ReportWithAFile(server.address(), honest, nullptr);
  ASSERT_TRUE(NormalizeCodename(codename).ok()) << codename;

  auto crowd = std::make_unique<SlowUploadCrowd>(server.address(), crowd_prefix, 100);
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      crowd->Round();
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // The trickles fill the upload share (and the refused ones the rest of the cap).
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const char* name = behind_tor ? "slow-uploads(tor)" : "slow-uploads";
  Times pages, reports, logins;
  for (int i = 0; i < 20; ++i) {
    LandingPage(server.address(), honest, pages, i);
    if (i % 7 == 3) {
      EXPECT_TRUE(NormalizeCodename(ReportWithAFile(server.address(), honest, &reports)).ok());
    }
    if (i % 7 == 5) HonestLogin(server.address(), honest, codename, logins);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  trickle.join();
  const int opened = crowd->opened();
  crowd.reset();  // closes the crowd's connections: the server drains at once
  server.Stop(SIGTERM);
  const std::string log = server.Stderr();
  EXPECT_NE(log.find("upload dropped"), std::string::npos) << log;
  if (behind_tor) {
    EXPECT_NE(log.find("circuit's uploads are at their cap"), std::string::npos);
  }
  std::printf("floods: %s: %d upload connections opened\n", name, opened);
  pages.Print(name, "landing page");
  reports.Print(name, "report with a file");
  logins.Print(name, "login");
}

TEST(Floods, SlowUploadsLeaveRoomForPagesAReportAndALogin) { SlowUploadFlood(false); }

TEST(Floods, SlowUploadsFromManyCircuitsLeaveRoomForPagesAReportAndALogin) {
  SlowUploadFlood(true);
}

// When every upload slot holds a body making progress, none is dropped: a new report (longer than
// what comes with its head, so it needs a slot) is refused with its form back, every answer as
// typed and nothing sealed, and goes through once a slot is free.
TEST(Floods, WhenNoUploadCanBeDroppedANewReportComesBackFilledIn) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--max-uploads", "1"}));
  // The one slot: a follow-up that has sent 256 KiB at once and then waits — far above the floor
  // for minutes (its message is too long, so nothing of it is kept, but it is read).
  SourceClient form(server.address());
  ASSERT_EQ(form.Get("/report").status, 200);
  const int fd = testing::ConnectTo(server.address());
  ASSERT_GE(fd, 0);
  const std::string head =
      "POST /followup HTTP/1.1\r\nHost: x.onion\r\nCookie: " + form.cookie() +
      "\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 60000000\r\n\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + form.csrf() +
      "\r\n--B\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n" +
      std::string(256 * 1024, 'a');
  std::size_t sent_bytes = 0;
  while (sent_bytes < head.size()) {
    const ssize_t n = ::send(fd, head.data() + sent_bytes, head.size() - sent_bytes, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    sent_bytes += static_cast<std::size_t>(n);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  SourceClient reporter(server.address());
  ASSERT_EQ(reporter.Get("/report").status, 200);
  const std::vector<FormPart> typed = {{"csrf", reporter.csrf()}, {"force", "WMI"},
                                       {"category", "corruption"}, {"role", "officer"},
                                       {"what", "The inspector & his \"friends\" <took> the cash. " +
                                                    std::string(20000, 'w')}};
  const HttpReply busy = reporter.PostMultipart("/report", typed);
  EXPECT_EQ(busy.status, 503);
  EXPECT_NE(busy.body.find("very busy"), std::string::npos) << busy.body;
  EXPECT_NE(busy.body.find("The inspector &amp; his &quot;friends&quot; &lt;took&gt; the cash. www"),
            std::string::npos);
  EXPECT_NE(busy.body.find("<option value=\"WMI\" selected>"), std::string::npos);
  EXPECT_EQ(busy.body.find("files were not kept"), std::string::npos) << "no file was chosen";
  ::close(fd);  // the slot is free once the server has seen the end
  HttpReply sent;
  for (int i = 0; i < 50 && sent.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<FormPart> again = typed;
    again[0].value = reporter.csrf();  // the token of the form given back
    sent = reporter.PostMultipart("/report", again);
    EXPECT_TRUE(sent.status == 200 || sent.status == 503) << sent.status;
  }
  EXPECT_EQ(sent.status, 200) << sent.body.substr(0, 2000);
  server.Stop(SIGTERM);
  EXPECT_NE(server.Stderr().find("upload refused: the upload share is full"), std::string::npos);
}

// One attacker rotating Tor circuits (a fresh one per attempt, 16 at once): half send well-formed
// wrong codenames (each costs a derivation), half malformed ones (free). Before issue 13 the
// malformed half alone emptied the server-wide guess bucket and every honest login got 429. Now the
// honest reporter waits for their turn in the fair derivation queue and logs in.
TEST(Floods, ALoginFloodFromRotatingCircuitsLetsAReturningReporterIn) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                           {"--source-proxy-protocol", "--kdf-workers", "1"}));
  const std::string honest = TorProxyLine(1);
  const std::string codename = ReportWithAFile(server.address(), honest, nullptr);
  ASSERT_TRUE(NormalizeCodename(codename).ok()) << codename;

  std::atomic<bool> stop{false};
  std::atomic<std::uint32_t> next_circuit{1000};
  std::mutex mu;
  std::map<int, int> statuses;
  std::atomic<int> derived{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 16; ++t) {
    flood.emplace_back([&, t] {
      const std::string guess = t % 2 == 0 ? "abacus abdomen abdominal abide abiding ability ablaze"
                                           : "not a codename";
      while (!stop) {
        SourceClient attacker(server.address());
        attacker.set_prefix(TorProxyLine(next_circuit++));
        if (attacker.Get("/login").status != 200) continue;
        const int status = attacker.PostForm("/login", {{"csrf", attacker.csrf()}, {"codename", guess}}).status;
        if (t % 2 == 0 && status == 403) ++derived;
        std::lock_guard lock(mu);
        ++statuses[status];
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Times pages, logins;
  for (int i = 0; i < 10; ++i) {
    LandingPage(server.address(), TorProxyLine(2), pages, i);
    if (i % 5 == 1) HonestLogin(server.address(), honest, codename, logins);
  }
  stop = true;
  for (auto& t : flood) t.join();
  int attempts = 0;
  for (const auto& [status, n] : statuses) {
    attempts += n;
    EXPECT_TRUE(status == 403 || status == 503) << status << " x" << n;
  }
  EXPECT_GT(attempts, 30) << "more than the old server-wide burst";
  std::printf("floods: login: %d attempts from %u circuits, %d of them derived (403: %d, 503: %d)\n",
              attempts, next_circuit.load() - 1000, derived.load(), statuses[403], statuses[503]);
  pages.Print("login", "landing page");
  logins.Print("login", "login");
}

// More new sessions than the store keeps (10,600 page loads, four at a time): a writer's report
// whose form was opened before goes through (its token needs no session), pages and logins are
// served meanwhile. (FormRefill.AFloodOfSessionsDoesNotLoseAWritersReport checks the form's words.)
TEST(Floods, ASessionFloodLeavesPagesALoginAndAWritersReport) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  const std::string codename = ReportWithAFile(server.address(), "", nullptr);
  ASSERT_TRUE(NormalizeCodename(codename).ok()) << codename;
  SourceClient writer(server.address());
  ASSERT_EQ(writer.Get("/report").status, 200);
  std::atomic<int> served{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&] {
      for (int i = 0; i < 2650; ++i) served += SourceClient(server.address()).Get("/login").status == 200;
    });
  }
  Times pages, logins, reports;
  for (int i = 0; i < 20; ++i) {
    LandingPage(server.address(), "", pages, i);
    if (i % 7 == 3) HonestLogin(server.address(), "", codename, logins);
  }
  for (auto& t : flood) t.join();
  EXPECT_EQ(served.load(), 10600);
  const auto t0 = Clock::now();
  const HttpReply r = writer.PostMultipart(
      "/report", {{"csrf", writer.csrf()}, {"force", "MET"}, {"category", "corruption"},
                  {"role", "officer"}, {"what", "Written while the flood ran."},
                  FormPart("file", std::string(64 * 1024, 'y'), true, "photo.jpg", "image/jpeg")});
  reports.Add(Clock::now() - t0);
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 2000);
  EXPECT_TRUE(NormalizeCodename(testing::ElementText(r.body, "codename")).ok());
  pages.Print("sessions", "landing page");
  logins.Print("sessions", "login");
  reports.Print("sessions", "writer's report after the flood");
}

}  // namespace
}  // namespace sealdrop
