// tests/vectors/age: age passphrase files made with a fixed file key, salt and nonce
// (docs/console.md §7.4). The writer must give exactly each `ok` file's bytes, our reader each
// file's label, and Debian's real `age -d` must open every `ok` file and refuse every other.
// SEALDROP_WRITE_AGE_VECTORS=1 rewrites the files from manifest.json (by hand, never in a run).
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "crypto/age/age_passphrase.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

const std::string kDir = std::string(SEALDROP_VECTORS_DIR) + "/age/";

std::vector<std::uint8_t> Hex(const std::string& hex) {
  std::vector<std::uint8_t> out(hex.size() / 2);
  std::size_t len = 0;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != out.size()) {
    ADD_FAILURE() << "bad hex in manifest";
  }
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> Fixed(const std::string& hex) {
  const auto v = Hex(hex);
  std::array<std::uint8_t, N> a{};
  std::copy_n(v.begin(), std::min(N, v.size()), a.begin());
  return a;
}

// The plaintext a vector seals: its "text", or "pattern_bytes" bytes of i*7 mod 256.
std::string Plaintext(const nlohmann::json& v) {
  if (v.contains("text")) return v["text"];
  std::string s(v["pattern_bytes"].get<std::size_t>(), '\0');
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 7) % 256);
  return s;
}

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string Sealed(const nlohmann::json& m, const std::string& plain) {
  AgeFixedRandom fixed{.file_key = Fixed<16>(m["file_key"]),
                       .salt = Fixed<16>(m["salt"]),
                       .nonce = Fixed<16>(m["nonce"])};
  MemorySink out;
  auto w = AgePassphraseWriter::Create(SecretBuffer::CopyOf(m["passphrase"].get<std::string>()),
                                       out, m["log2_work"].get<unsigned>(), &fixed);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w->Write(Bytes(plain)).ok());
  EXPECT_TRUE(w->Finish().ok());
  return {out.bytes().begin(), out.bytes().end()};
}

// How each bad file is made from an ok one (so regenerating keeps them in step).
std::string Damaged(const nlohmann::json& v, std::string bytes) {
  const std::string how = v.value("damage", "");
  if (how == "cut-after-first-chunk") bytes.resize(bytes.size() - v["cut"].get<std::size_t>());
  if (how == "flip-mac-byte") bytes[bytes.find("--- ") + 6] ^= 1;
  if (how == "append-byte") bytes.push_back('\0');
  return bytes;
}

const char* Label(const Status& st) {
  if (st.ok()) return "ok";
  switch (st.error().code) {
    case ErrorCode::kWrongPassphrase:
      return "wrong-passphrase";
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kHeaderMacMismatch:
      return "header-mac-mismatch";
    case ErrorCode::kPayloadCorrupt:
      return "payload-corrupt";
    default:
      return ErrorCodeName(st.error().code);
  }
}

TEST(AgeVectors, WriterGivesExactBytesAndEveryFileItsLabel) {
  const auto m = nlohmann::json::parse(testing::ReadFileOrDie(kDir + "manifest.json"));
  const bool regenerate = std::getenv("SEALDROP_WRITE_AGE_VECTORS") != nullptr;
  std::size_t checked = 0;
  for (const auto& v : m["vectors"]) {
    const std::string name = v["file"];
    SCOPED_TRACE(name);
    const std::string plain = Plaintext(v);
    const std::string made = Damaged(v, Sealed(m, plain));
    if (regenerate) testing::WriteFileOrDie(kDir + name, made);
    const std::string file = testing::ReadFileOrDie(kDir + name);
    EXPECT_EQ(made, file) << "the writer no longer gives the vector's bytes";
    MemorySource in(Bytes(file));
    MemorySink out;
    const std::string pass = v.value("passphrase", m["passphrase"].get<std::string>());
    const Status st = OpenAgePassphrase(in, SecretBuffer::CopyOf(pass), out);
    EXPECT_STREQ(Label(st), v["expect"].get<std::string>().c_str())
        << (st.ok() ? "" : st.error().message);
    if (st.ok()) {
      EXPECT_EQ(std::string(out.bytes().begin(), out.bytes().end()), plain);
    }
    ++checked;
  }
  EXPECT_GE(checked, 6u);
}

TEST(AgeVectors, RealAgeOpensTheOkFilesAndRefusesTheOthers) {
  const auto m = nlohmann::json::parse(testing::ReadFileOrDie(kDir + "manifest.json"));
  testing::TempDir dir;
  for (const auto& v : m["vectors"]) {
    const std::string name = v["file"];
    SCOPED_TRACE(name);
    testing::WriteFileOrDie(dir / "pass",
                            v.value("passphrase", m["passphrase"].get<std::string>()) + "\n");
    std::remove((dir / "out").c_str());
    auto r = testing::RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, dir / "pass", "--",
                                  "/usr/bin/age", "-d", "-o", dir / "out", kDir + name});
    if (v["expect"] == "ok") {
      ASSERT_EQ(r.exit_code, 0) << r.err;
      // age creates its -o file at the first byte it writes: none for an empty plaintext.
      EXPECT_EQ(PathExists(dir / "out") ? testing::ReadFileOrDie(dir / "out") : "", Plaintext(v));
    } else {
      EXPECT_NE(r.exit_code, 0) << r.err;
    }
  }
}

}  // namespace
}  // namespace sealdrop
