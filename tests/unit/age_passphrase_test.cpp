// The age passphrase codec (crypto/age): round trips through our reader and through Debian's
// real `age -d` (driven on a pty by tests/support/age_tty.py), chunk boundaries, a file the real
// `age -p` made, and the failures an investigator must see: wrong passphrase, truncation.
#include "crypto/age/age_passphrase.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/process.h"

namespace sealdrop {
namespace {

constexpr unsigned kTestWork = 10;  // 2^10: fast; the production default is 18
const std::string kPassphrase = "correct horse battery staple";

std::vector<std::uint8_t> Pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 7 + i / 251) % 256);
  return v;
}

std::vector<std::uint8_t> Seal(std::span<const std::uint8_t> plain,
                               const std::string& pass = kPassphrase) {
  MemorySink out;
  auto w = AgePassphraseWriter::Create(SecretBuffer::CopyOf(pass), out, kTestWork);
  EXPECT_TRUE(w.ok());
  // Odd-sized writes, so that chunk edges fall inside writes.
  for (std::size_t at = 0; at < plain.size(); at += 1000) {
    EXPECT_TRUE(w->Write(plain.subspan(at, std::min<std::size_t>(1000, plain.size() - at))).ok());
  }
  EXPECT_TRUE(w->Finish().ok());
  return std::move(out.bytes());
}

Result<std::vector<std::uint8_t>> Open(std::span<const std::uint8_t> sealed,
                                       const std::string& pass = kPassphrase) {
  MemorySource in(sealed);
  MemorySink out;
  if (auto st = OpenAgePassphrase(in, SecretBuffer::CopyOf(pass), out); !st) return st.error();
  return std::move(out.bytes());
}

std::string Str(std::span<const std::uint8_t> b) { return {b.begin(), b.end()}; }

// `age -d` on `sealed` with `pass` typed on its terminal: exit code and output.
testing::ProcessResult AgeDecrypt(const testing::TempDir& dir, std::span<const std::uint8_t> sealed,
                                  const std::string& pass, std::string* plain) {
  testing::WriteFileOrDie(dir / "in.age", Str(sealed));
  testing::WriteFileOrDie(dir / "pass", pass + "\n");
  std::remove((dir / "out").c_str());
  auto r = testing::RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, dir / "pass", "--",
                                "/usr/bin/age", "-d", "-o", dir / "out", dir / "in.age"});
  // age creates its -o file at the first byte it writes: none for an empty plaintext.
  if (r.exit_code == 0 && plain)
    *plain = PathExists(dir / "out") ? testing::ReadFileOrDie(dir / "out") : "";
  return r;
}

TEST(AgePassphrase, RoundTripsAtChunkBoundaries) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kAgeChunkBytes - 1, kAgeChunkBytes,
                        kAgeChunkBytes + 1, 2 * kAgeChunkBytes, 3 * kAgeChunkBytes + 17}) {
    SCOPED_TRACE(n);
    const auto plain = Pattern(n);
    const auto sealed = Seal(plain);
    const std::size_t chunks = n == 0 ? 1 : (n + kAgeChunkBytes - 1) / kAgeChunkBytes;
    const std::string head =
        Str(std::span(sealed).first(std::min<std::size_t>(sealed.size(), 200)));
    const std::size_t header =
        head.find("\n---") + 1 + head.substr(head.find("\n---") + 1).find('\n') + 1;
    EXPECT_EQ(sealed.size(), header + 16 + n + 16 * chunks);
    auto opened = Open(sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(AgePassphrase, RealAgeDecryptsEveryChunkBoundary) {
  testing::TempDir dir;
  for (std::size_t n :
       {std::size_t{0}, kAgeChunkBytes, kAgeChunkBytes + 1, 2 * kAgeChunkBytes + 5}) {
    SCOPED_TRACE(n);
    const auto plain = Pattern(n);
    std::string got;
    auto r = AgeDecrypt(dir, Seal(plain), kPassphrase, &got);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(got, Str(plain));
  }
}

TEST(AgePassphrase, RealAgeRefusesAWrongPassphraseAndATruncatedFile) {
  testing::TempDir dir;
  const auto sealed = Seal(Pattern(kAgeChunkBytes + 100));
  auto wrong = AgeDecrypt(dir, sealed, "not the passphrase at all", nullptr);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("incorrect passphrase"), std::string::npos) << wrong.err;
  // Cut after the first chunk (a valid middle chunk: only the missing last flag tells), and
  // inside the last one.
  const std::size_t first_end = sealed.size() - (100 + 16);
  for (std::size_t cut : {first_end, sealed.size() - 1}) {
    SCOPED_TRACE(cut);
    auto r = AgeDecrypt(dir, std::span(sealed).first(cut), kPassphrase, nullptr);
    EXPECT_NE(r.exit_code, 0) << r.err;
  }
}

TEST(AgePassphrase, OpensWhatTheRealAgeSealed) {
  testing::TempDir dir;
  const std::string plain = Str(Pattern(kAgeChunkBytes + 3));
  testing::WriteFileOrDie(dir / "plain", plain);
  testing::WriteFileOrDie(dir / "pass", kPassphrase + "\n");
  auto r = testing::RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, dir / "pass", "--",
                                "/usr/bin/age", "-p", "-o", dir / "sealed.age", dir / "plain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string sealed = testing::ReadFileOrDie(dir / "sealed.age");
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(sealed.data()),
                                            sealed.size());
  auto opened = Open(bytes);  // age's own work factor, 18
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(Str(*opened), plain);
  EXPECT_EQ(Open(bytes, "wrong passphrase").error().code, ErrorCode::kWrongPassphrase);
}

TEST(AgePassphrase, OurReaderNamesEachFailure) {
  const auto sealed = Seal(Pattern(kAgeChunkBytes + 100));
  EXPECT_EQ(Open(sealed, "another passphrase").error().code, ErrorCode::kWrongPassphrase);
  EXPECT_EQ(Open(std::span(sealed).first(sealed.size() - 116)).error().code, ErrorCode::kTruncated);
  EXPECT_EQ(Open(std::span(sealed).first(sealed.size() - 1)).error().code,
            ErrorCode::kPayloadCorrupt);
  auto longer = sealed;
  longer.push_back(0);
  EXPECT_EQ(Open(longer).error().code, ErrorCode::kPayloadCorrupt);
  auto flipped = sealed;
  flipped[sealed.size() - 50] ^= 1;
  EXPECT_EQ(Open(flipped).error().code, ErrorCode::kPayloadCorrupt);
  const std::string text = "hello";
  EXPECT_EQ(
      Open(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())).error().code,
      ErrorCode::kTruncated);
  const std::string other = "age-encryption.org/v1\n-> X25519 abc\nxyz\n--- abc\n";
  EXPECT_EQ(Open(std::span(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()))
                .error()
                .code,
            ErrorCode::kNoMatchingKey);
}

TEST(AgePassphrase, RefusesAnEmptyPassphraseAndABadWorkFactor) {
  MemorySink out;
  EXPECT_EQ(AgePassphraseWriter::Create(SecretBuffer(), out, kTestWork).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(AgePassphraseWriter::Create(SecretBuffer::CopyOf(kPassphrase), out, 0).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(AgePassphraseWriter::Create(SecretBuffer::CopyOf(kPassphrase), out, 23).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(out.bytes().empty());
}

}  // namespace
}  // namespace sealdrop
