// The derivation helper processes (server/kdf/kdf_helpers.h): they answer exactly what the
// in-process derivation gives, refuse malformed codenames with the same generic error, serve
// several threads at once, and are gone (reaped) when the deriver is destroyed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "server/kdf/kdf_helpers.h"

namespace sealdrop::server {
namespace {

constexpr char kCodename[] = "abacus abdomen abdominal abide abiding ability ablaze";

std::array<std::uint8_t, kInstanceSaltBytes> Secret() {
  std::array<std::uint8_t, kInstanceSaltBytes> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i);
  return s;
}

TEST(KdfHelpers, AnswerWhatTheInProcessDerivationGives) {
  auto helpers = HelperDeriver::Spawn(Secret(), 2);
  ASSERT_TRUE(helpers.ok()) << helpers.error().message;
  const InProcessDeriver local(Secret());
  auto a = (*helpers)->Derive("  ABACUS abdomen abdominal abide abiding ability ablaze\n");
  auto b = local.Derive(kCodename);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->lookup_id, b->lookup_id);
  EXPECT_EQ(a->key_pair.public_key, b->key_pair.public_key);
  EXPECT_TRUE(a->key_pair.secret.Equals(b->key_pair.secret));
  // The spec's vector (docs/codename.md §5).
  EXPECT_EQ(HexEncode(a->lookup_id), "57edbf4dc60f6cb705e73696d12157354930ec73753e9983ef46aae8b3c5d410");

  auto secrets = StretchCodename(kCodename);
  ASSERT_TRUE(secrets.ok());
  auto lookup = (*helpers)->LookupId(secrets->auth);
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(*lookup, a->lookup_id);

  for (const std::string& bad : {std::string("not a codename"), std::string(600, 'a'), std::string("abacus\0x", 8)}) {
    auto r = (*helpers)->Derive(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "that is not a valid codename");
  }
}

TEST(KdfHelpers, ServeSeveralThreadsAtOnce) {
  auto helpers = HelperDeriver::Spawn(Secret(), 2);
  ASSERT_TRUE(helpers.ok());
  const InProcessDeriver local(Secret());
  const std::vector<std::string> codenames = {kCodename, "zoom zoom zoom zoom zoom zoom zoom",
                                              "abacus abacus abacus abacus abacus abacus zoom",
                                              "yo-yo t-shirt felt-tip drop-down zoom abacus ablaze"};
  std::vector<std::array<std::uint8_t, 32>> got(codenames.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < codenames.size(); ++i) {
    threads.emplace_back([&, i] {
      auto id = (*helpers)->Derive(codenames[i]);
      if (id) got[i] = id->lookup_id;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < codenames.size(); ++i) {
    EXPECT_EQ(got[i], local.Derive(codenames[i])->lookup_id) << codenames[i];
  }
}

TEST(KdfHelpers, AreReapedWhenTheDeriverGoesAndAnswerErrorsWhenKilled) {
  auto helpers = HelperDeriver::Spawn(Secret(), 1);
  ASSERT_TRUE(helpers.ok());
  // Kill every child of this process that is a helper: calls then fail cleanly.
  // The helpers name themselves just after the fork: wait (up to 5 s) until both have.
  const std::string self = std::to_string(::getpid());
  std::vector<pid_t> children;
  for (int attempt = 0; attempt < 500 && children.size() < 2; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    children.clear();
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream stat(entry.path() / "stat");
      std::string pid, comm, state, ppid;
      stat >> pid >> comm >> state >> ppid;
      if (ppid == self && comm == "(sealdrop-kdf)") children.push_back(std::stoi(pid));
    }
  }
  ASSERT_EQ(children.size(), 2u) << "one derivation helper and one lookup helper";
  for (pid_t c : children) ::kill(c, SIGKILL);
  auto r = (*helpers)->Derive(kCodename);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_FALSE((*helpers)->LookupId({}).ok());
  helpers->reset();  // reaps them
  for (pid_t c : children) EXPECT_EQ(::kill(c, 0), -1) << "helper " << c << " still exists";
}

}  // namespace
}  // namespace sealdrop::server
