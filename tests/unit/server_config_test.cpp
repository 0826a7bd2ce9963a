// sealdrop-server's TOML configuration: every key read, unknown keys and bad values refused.
#include <gtest/gtest.h>

#include "server/config/server_config.h"
#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

Result<ServerConfig> Load(const std::string& text) {
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "server.toml", text);
  return LoadServerConfig(dir / "server.toml");
}

TEST(ServerConfig, ReadsEveryKey) {
  auto c = Load(R"(
# comments are fine
listen = "unix:/run/sealdrop/source.sock"
force_listen = "unix:/run/sealdrop/force.sock"
socket_group = "debian-tor"
socket_mode = "0660"
log_level = "warning"
data_dir = "/var/lib/sealdrop"
directory = "/etc/sealdrop/directory.signed"
root_public_key = "/etc/sealdrop/root.public"
threads = 4
kdf_workers = 2
kdf_queue = 8
max_upload_mb = 512
max_connections = 64
max_uploads = 16
uploads_per_circuit = 3
upload_grace_seconds = 7
header_timeout_seconds = 5
session_idle_minutes = 30
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen, "unix:/run/sealdrop/source.sock");
  EXPECT_EQ(c->force_listen, "unix:/run/sealdrop/force.sock");
  EXPECT_EQ(c->socket_group, "debian-tor");
  EXPECT_EQ(c->socket_mode, "0660");
  EXPECT_EQ(c->log_level, "warning");
  EXPECT_EQ(c->data_dir, "/var/lib/sealdrop");
  EXPECT_EQ(c->directory, "/etc/sealdrop/directory.signed");
  EXPECT_EQ(c->root_public_key, "/etc/sealdrop/root.public");
  EXPECT_EQ(c->threads, 4);
  EXPECT_EQ(c->kdf_workers, 2);
  EXPECT_EQ(c->kdf_queue, 8);
  EXPECT_EQ(c->max_upload_mb, 512u);
  EXPECT_EQ(c->max_connections, 64);
  EXPECT_EQ(c->max_uploads, 16);
  EXPECT_EQ(c->uploads_per_circuit, 3);
  EXPECT_EQ(c->upload_grace_seconds, 7);
  EXPECT_EQ(c->header_timeout_seconds, 5);
  EXPECT_EQ(c->session_idle_minutes, 30);
  EXPECT_TRUE(ValidateServerConfig(*c).ok());
  c->socket_mode = "0755";  // a socket's execute bits mean nothing; a typo must not pass
  EXPECT_FALSE(ValidateServerConfig(*c).ok());
  c->socket_mode = "0660";
  c->log_level = "debug";  // there is no debug logging to turn on
  EXPECT_FALSE(ValidateServerConfig(*c).ok());
}

TEST(ServerConfig, KeepsDefaultsForMissingKeysButRequiresTheDirectory) {
  auto c = Load("listen = \"127.0.0.1:9000\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_upload_mb, 2048u);
  EXPECT_EQ(c->kdf_workers, 1);
  EXPECT_FALSE(ValidateServerConfig(*c).ok());
}

TEST(ServerConfig, RefusesTyposWrongTypesAndOutOfRangeValues) {
  for (const char* bad : {"listne = \"x\"\n", "threads = \"two\"\n", "threads = 0\n",
                          "threads = 2.5\n", "max_upload_mb = -1\n", "kdf_workers = 99\n",
                          "header_timeout_seconds = 100000\n", "listen = 5\n",
                          "[limits]\nthreads = 2\n", "not toml at all ===\n"}) {
    auto c = Load(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_NE(c.error().message.find("config"), std::string::npos) << bad;
    }
  }
}

TEST(ServerConfig, ReadsTheStorageBudgetsAndChecksThemAgainstEachOther) {
  const std::string required = "directory = \"d\"\nroot_public_key = \"r\"\n";
  auto c = Load(required + R"(
max_upload_mb = 100
sender_budget_mb = 200
sender_budget_window_seconds = 600
daily_intake_mb = 1000
max_stored_mb = 5000
reserve_mb = 1024
force_reserve_mb = 128
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sender_budget_mb, 200u);
  EXPECT_EQ(c->sender_budget_window_seconds, 600);
  EXPECT_EQ(c->daily_intake_mb, 1000u);
  EXPECT_EQ(c->max_stored_mb, 5000u);
  EXPECT_EQ(c->reserve_mb, 1024u);
  EXPECT_EQ(c->force_reserve_mb, 128u);
  EXPECT_TRUE(ValidateServerConfig(*c).ok());
  // The defaults are consistent.
  auto defaults = Load(required);
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(ValidateServerConfig(*defaults).ok());
  for (const char* bad : {"sender_budget_mb = 0\n", "sender_budget_window_seconds = 0\n",
                          "sender_budget_window_seconds = 604801\n", "daily_intake_mb = -5\n",
                          "max_stored_mb = 1.5\n", "reserve_mb = -1\n",
                          "force_reserve_mb = 1073741825\n"}) {
    EXPECT_FALSE(Load(bad).ok()) << bad;
  }
  // Each budget must hold one largest upload; replies need the smaller reserve.
  for (const char* inconsistent :
       {"max_upload_mb = 100\nsender_budget_mb = 99\n", "max_upload_mb = 100\ndaily_intake_mb = 50\n",
        "max_upload_mb = 100\nmax_stored_mb = 10\n", "reserve_mb = 10\nforce_reserve_mb = 11\n"}) {
    auto loaded = Load(required + inconsistent);
    ASSERT_TRUE(loaded.ok()) << inconsistent;
    EXPECT_FALSE(ValidateServerConfig(*loaded).ok()) << inconsistent;
  }
}

TEST(ServerConfig, AMissingFileIsAnError) {
  EXPECT_FALSE(LoadServerConfig("/nonexistent/server.toml").ok());
}

}  // namespace
}  // namespace sealdrop::server

namespace sealdrop::server {
namespace {

ServerConfig WithFace(const std::string& face) {
  auto c = Load("directory = \"d\"\nroot_public_key = \"r\"\n" + face);
  EXPECT_TRUE(c.ok()) << face;
  return c.ok() ? *c : ServerConfig{};
}

TEST(ServerConfig, ReadsTheFaceAndAcceptsPlainTextWithAmpersandsAndQuotes) {
  const ServerConfig c = WithFace(R"(
service_name = "Police Anti-Corruption & Abuse Reporting Service"
operator_name = "Example \"Trust\" — Cymru"
phone_number = "+44 (0)800 123-4567"
phone_hours = "Monday to Friday, 8am to 8pm"
exit_url = "https://www.bbc.co.uk/weather"
onion_hostname = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
)");
  EXPECT_EQ(c.service_name, "Police Anti-Corruption & Abuse Reporting Service");
  EXPECT_EQ(c.operator_name, "Example \"Trust\" — Cymru");
  EXPECT_EQ(c.phone_number, "+44 (0)800 123-4567");
  EXPECT_EQ(c.phone_hours, "Monday to Friday, 8am to 8pm");
  EXPECT_EQ(c.onion_hostname, "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion");
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  // The defaults pass too: the quick exit always has somewhere to go.
  const ServerConfig d = WithFace("");
  EXPECT_EQ(d.exit_url, "https://www.bbc.co.uk/weather");
  EXPECT_TRUE(ValidateServerConfig(d).ok());
}

TEST(ServerConfig, RefusesMarkupControlCharactersAndBadAddressesInTheFace) {
  for (const char* bad : {
           "service_name = \"<b>x</b>\"", "service_name = \"\"", "operator_name = \"a\\tb\"",
           "phone_hours = \"9\\u0085am\"", "operator_name = \"x\\u202Ey\"",
           "phone_number = \"0800 CALL NOW\"", "phone_number = \"0800 123 4567 0800 123 4567 0123\"",
           "exit_url = \"http://www.bbc.co.uk/weather\"", "exit_url = \"javascript:alert(1)\"",
           "exit_url = \"https://a b\"", "exit_url = \"https://\"",
           "onion_hostname = \"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWX.onion\"",
           "onion_hostname = \"short.onion\"", "service_name_cy = \"<i>Gwasanaeth</i>\"",
           "operator_name_cy = \"a\\u202Eb\"", "phone_hours_cy = \"9\\nam\""}) {
    const ServerConfig c = WithFace(std::string(bad) + "\n");
    EXPECT_FALSE(ValidateServerConfig(c).ok()) << bad;
  }
  const ServerConfig long_name = WithFace("service_name = \"" + std::string(121, 'a') + "\"\n");
  EXPECT_FALSE(ValidateServerConfig(long_name).ok());
}

}  // namespace
}  // namespace sealdrop::server
