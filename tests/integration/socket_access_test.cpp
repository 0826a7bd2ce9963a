// The server's unix sockets as tor finds them (issue 14): made under umask 077, then given the
// configured mode and group, so that tor's user (Debian: debian-tor) can connect and nobody else
// can; a group that does not exist, or a mode that makes no sense, stops the start with one line.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using testing::TestInstance;

// A group this process may give files to (root may give any; the first of its own otherwise)
// other than its primary one, so that the chown is seen to happen.
std::string SomeOtherGroup() {
  for (const char* name : {"nogroup", "users", "daemon"}) {
    const group* g = ::getgrnam(name);
    if (g != nullptr && g->gr_gid != ::getegid() && ::geteuid() == 0) return name;
  }
  return "";
}

TEST(SocketAccess, TheSocketsGetTheConfiguredModeAndGroupAndNothingMore) {
  TestInstance instance;
  const TempDir run;
  const std::string group = SomeOtherGroup();
  ASSERT_FALSE(group.empty()) << "no group to give the sockets to (the suite runs as root)";
  ServerProcess server(instance.ServerArgv(
      SEALDROP_SERVER_BIN, "unix:" + (run / "source.sock"),
      {"--force-listen", "unix:" + (run / "force.sock"), "--socket-group", group,
       "--socket-mode", "0660"}));
  for (const char* name : {"source.sock", "force.sock"}) {
    struct stat st {};
    ASSERT_EQ(::stat((run / name).c_str(), &st), 0) << name;
    EXPECT_TRUE(S_ISSOCK(st.st_mode)) << name;
    EXPECT_EQ(st.st_mode & 07777, 0660u) << name;
    EXPECT_EQ(st.st_gid, ::getgrnam(group.c_str())->gr_gid) << name;
  }
  // And what the server makes otherwise is its own alone.
  struct stat index {};
  ASSERT_EQ(::stat((instance.data_dir() + "/index.sqlite").c_str(), &index), 0);
  EXPECT_EQ(index.st_mode & 077, 0u);
  // A client (tor) still reaches it through the socket.
  EXPECT_NE(testing::HttpExchange(server.address(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .find("200 OK"),
            std::string::npos);
}

TEST(SocketAccess, AGroupThatDoesNotExistOrABadModeStopsTheStart) {
  TestInstance instance;
  const TempDir run;
  auto argv = instance.ServerArgv(SEALDROP_SERVER_BIN, "unix:" + (run / "source.sock"),
                                  {"--socket-group", "no-such-group-sealdrop"});
  const auto r = testing::RunProcess(argv);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("socket group no-such-group-sealdrop does not exist"), std::string::npos)
      << r.err;
  argv = instance.ServerArgv(SEALDROP_SERVER_BIN, "unix:" + (run / "source.sock"),
                             {"--socket-mode", "0777"});
  const auto bad = testing::RunProcess(argv);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("socket_mode must be"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace sealdrop
