// Bundles (docs/bundle.md): round trip, and every kind of damage refused before use.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "crypto/envelope_writer.h"
#include "common/import_receipt.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/process.h"

namespace sealdrop::bundle {
namespace {

std::vector<std::uint8_t> Envelope(const std::string& content) {
  const std::vector<PublicKey> to = {GenerateKeyPair(KeyRole::kForceDecryption).public_key};
  auto sealed = SealToBytes(to, "{}", {"f", "text/plain"}, AsBytes(content));
  if (!sealed.ok()) std::abort();
  return *sealed;
}

std::string Write(const testing::TempDir& dir, const std::string& name, const std::string& type,
                  const std::vector<Item>& items) {
  auto w = BundleWriter::Create(dir / name, type, "MET", "2026-11-22");
  EXPECT_TRUE(w.ok());
  for (const auto& it : items) {
    const auto bytes = Envelope(it.id);
    MemorySource src(bytes);
    EXPECT_TRUE(w->AddItem(it, src).ok());
  }
  EXPECT_TRUE(w->Commit().ok());
  return dir / name;
}

Item PullItem() { return {NewItemId(), "report", "2026-11-21", 0, 0, "", "", ""}; }

TEST(Bundle, RoundTripsItemsAndTheirManifest) {
  testing::TempDir dir;
  const Item a = PullItem();
  Item b = PullItem();
  b.kind = "followup";
  const std::string path = Write(dir, "p.bundle", "pull", {a, b});
  auto r = BundleReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Manifest& m = r->manifest();
  EXPECT_EQ(m.type, "pull");
  EXPECT_EQ(m.force, "MET");
  ASSERT_EQ(m.items.size(), 2u);
  EXPECT_EQ(m.items[0].id, a.id);
  EXPECT_EQ(m.items[0].offset, 16u);
  EXPECT_EQ(m.items[1].offset, 16u + m.items[0].size);
  EXPECT_EQ(m.items[1].kind, "followup");
  MemorySink sink;
  ASSERT_TRUE(r->CopyItem(1, sink).ok());
  EXPECT_EQ(sink.bytes().size(), m.items[1].size);
  auto stream = r->ItemSource(0);
  std::vector<std::uint8_t> buf(1 << 16);
  std::uint64_t total = 0;
  for (;;) {
    auto n = stream->Read(buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_EQ(total, m.items[0].size);
}

TEST(Bundle, OutboxItemsCarryTheirDestinations) {
  testing::TempDir dir;
  const Item reply{NewItemId(), "reply", "2026-11-22", 0, 0, "", std::string(64, 'a'), ""};
  const Item fwd{NewItemId(), "forward", "2026-11-22", 0, 0, "", "WMI", std::string(64, 'b')};
  auto r = BundleReader::Open(Write(dir, "o.bundle", "outbox", {reply, fwd}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->manifest().items[0].to, std::string(64, 'a'));
  EXPECT_EQ(r->manifest().items[1].to, "WMI");
  EXPECT_EQ(r->manifest().items[1].source, std::string(64, 'b'));
}

TEST(Bundle, WriterRefusesNonEnvelopesAndRepeatedIds) {
  testing::TempDir dir;
  auto w = BundleWriter::Create(dir / "x.bundle", "pull", "MET", "2026-11-22");
  ASSERT_TRUE(w.ok());
  MemorySource junk(AsBytes("not an envelope at all"));
  EXPECT_EQ(w->AddItem(PullItem(), junk).error().code, ErrorCode::kMalformed);
  const Item it = PullItem();
  const auto bytes = Envelope("x");
  MemorySource a(bytes);
  ASSERT_TRUE(w->AddItem(it, a).ok());
  MemorySource b(bytes);
  EXPECT_FALSE(w->AddItem(it, b).ok());
  MemorySource c(bytes);
  EXPECT_EQ(w->AddItem(PullItem(), c, bytes.size() + 1).error().code, ErrorCode::kTruncated);
}

TEST(Bundle, AnUncommittedBundleLeavesNoFile) {
  testing::TempDir dir;
  {
    auto w = BundleWriter::Create(dir / "x.bundle", "pull", "MET", "2026-11-22");
    ASSERT_TRUE(w.ok());
    const auto bytes = Envelope("x");
    MemorySource a(bytes);
    ASSERT_TRUE(w->AddItem(PullItem(), a).ok());
  }
  EXPECT_TRUE(testing::ListDir(dir.path()).empty());
}

TEST(Bundle, EveryKindOfDamageIsRefused) {
  testing::TempDir dir;
  const std::string good = testing::ReadFileOrDie(Write(dir, "g.bundle", "pull", {PullItem(), PullItem()}));
  auto check = [&](const std::string& name, const std::string& bytes, ErrorCode code) {
    testing::WriteFileOrDie(dir / name, bytes);
    auto r = BundleReader::Open(dir / name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, code) << name << ": " << r.error().message;
  };
  check("empty", "", ErrorCode::kTruncated);
  check("truncated-end", good.substr(0, good.size() - 1), ErrorCode::kTruncated);
  check("truncated-half", good.substr(0, good.size() / 2), ErrorCode::kTruncated);
  check("trailing-byte", good + "x", ErrorCode::kTruncated);
  std::string s = good;
  s[0] = 'X';
  check("bad-magic", s, ErrorCode::kBadMagic);
  s = good;
  s[8] = 2;
  check("bad-version", s, ErrorCode::kUnsupportedVersion);
  s = good;
  s[12] = 1;
  check("reserved-byte", s, ErrorCode::kMalformed);
  s = good;
  s[1000] ^= 1;
  check("item-byte-flipped", s, ErrorCode::kPayloadCorrupt);
  s = good;
  s[s.size() - 1] ^= 1;
  check("trailer-hash-flipped", s, ErrorCode::kPayloadCorrupt);
  // A manifest edited consistently (and its whole-file hash left alone) is still caught.
  s = good;
  const auto at = s.find("\"kind\":\"report\"");
  ASSERT_NE(at, std::string::npos);
  s.replace(at, 15, "\"kind\":\"replyX\"");
  check("manifest-edited", s, ErrorCode::kMalformed);
}

ImportReceipt Receipt(std::vector<std::string> items, std::string force = "MET") {
  std::sort(items.begin(), items.end());
  return {NewItemId(), std::move(force), "2026-11-22", std::move(items)};
}

TEST(Bundle, AnOutboxCarriesItsImportReceiptBesideItsItems) {
  testing::TempDir dir;
  const ImportReceipt receipt = Receipt({NewItemId(), NewItemId()});
  auto w = BundleWriter::Create(dir / "o.bundle", "outbox", "MET", "2026-11-22");
  ASSERT_TRUE(w.ok());
  const Item reply{NewItemId(), "reply", "2026-11-22", 0, 0, "", std::string(64, 'a'), ""};
  const auto bytes = Envelope("r");
  MemorySource src(bytes);
  ASSERT_TRUE(w->AddItem(reply, src).ok());
  w->SetReceipt(receipt);
  ASSERT_TRUE(w->Commit().ok());
  auto r = BundleReader::Open(dir / "o.bundle");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->manifest().items.size(), 1u);
  ASSERT_TRUE(r->manifest().receipt.has_value());
  EXPECT_EQ(r->manifest().receipt->id, receipt.id);
  EXPECT_EQ(r->manifest().receipt->items, receipt.items);
  EXPECT_EQ(EncodeImportReceipt(*r->manifest().receipt), EncodeImportReceipt(receipt));
}

TEST(Bundle, AnOutboxOfOnlyAReceiptIsValid) {
  testing::TempDir dir;
  auto w = BundleWriter::Create(dir / "o.bundle", "outbox", "MET", "2026-11-22");
  ASSERT_TRUE(w.ok());
  w->SetReceipt(Receipt({NewItemId()}));
  ASSERT_TRUE(w->Commit().ok());
  auto r = BundleReader::Open(dir / "o.bundle");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->manifest().items.empty());
  EXPECT_EQ(r->manifest().receipt->items.size(), 1u);
}

TEST(ImportReceipt, OnlyTheCanonicalEncodingOfAValidReceiptParses) {
  const ImportReceipt good = Receipt({NewItemId(), NewItemId(), NewItemId()});
  const std::string text = EncodeImportReceipt(good);
  auto back = ParseImportReceipt(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->items, good.items);
  auto refused = [](const std::string& t) {
    auto r = ParseImportReceipt(t);
    return !r.ok() && r.error().code == ErrorCode::kMalformed;
  };
  EXPECT_TRUE(refused(text + "\n"));
  EXPECT_TRUE(refused(" " + text));
  EXPECT_TRUE(refused("[]"));
  EXPECT_TRUE(refused(""));
  auto edited = [&](auto change) {
    auto j = nlohmann::json::parse(text);
    change(j);
    return j.dump();
  };
  EXPECT_TRUE(refused(edited([](auto& j) { j["items"] = nlohmann::json::array(); })));
  EXPECT_TRUE(refused(edited([&](auto& j) { j["items"].push_back(good.items[0]); })));
  EXPECT_TRUE(refused(edited([](auto& j) { j["force"] = "met"; })));
  EXPECT_TRUE(refused(edited([](auto& j) { j["day"] = "2026-13-01"; })));
  EXPECT_TRUE(refused(edited([](auto& j) { j["version"] = 2; })));
  EXPECT_TRUE(refused(edited([](auto& j) { j["extra"] = 1; })));
  EXPECT_TRUE(refused(edited([](auto& j) { j.erase("id"); })));
  // The item limit: one id over it is refused, by count (the text is within the byte limit).
  ImportReceipt big{NewItemId(), "MET", "2026-11-22", {}};
  for (std::size_t i = 0; i <= kMaxReceiptItems; ++i) big.items.push_back(NewItemId());
  std::sort(big.items.begin(), big.items.end());
  EXPECT_FALSE(IsValidImportReceipt(big));
  big.items.pop_back();
  EXPECT_TRUE(IsValidImportReceipt(big));
  EXPECT_LE(EncodeImportReceipt(big).size(), kMaxReceiptBytes);
}

TEST(Bundle, AReceiptOfAnotherForceOrInAPullIsRefused) {
  testing::TempDir dir;
  // Written by hand: the writer refuses (aborts on) both.
  const std::string good = testing::ReadFileOrDie([&] {
    auto w = BundleWriter::Create(dir / "g.bundle", "outbox", "MET", "2026-11-22");
    EXPECT_TRUE(w.ok());
    w->SetReceipt(Receipt({NewItemId()}));
    EXPECT_TRUE(w->Commit().ok());
    return dir / "g.bundle";
  }());
  // Rewrites the manifest (and the trailer's length and digest) as `edit` says.
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string manifest = good.substr(16, good.size() - 16 - 48);
    const auto at = manifest.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    manifest.replace(at, from.size(), to);
    std::string out = good.substr(0, 16) + manifest;
    std::uint8_t trailer[48] = {};
    trailer[0] = 16;
    for (int i = 0; i < 8; ++i) trailer[8 + i] = static_cast<std::uint8_t>(manifest.size() >> (8 * i));
    const auto digest = Sha256(AsBytes(out));
    std::copy(digest.begin(), digest.end(), trailer + 16);
    return out + std::string(reinterpret_cast<const char*>(trailer), 48);
  };
  auto opens = [&](const std::string& name, const std::string& bytes) {
    testing::WriteFileOrDie(dir / name, bytes);
    auto r = BundleReader::Open(dir / name);
    return r.ok() ? std::string("ok") : ErrorCodeName(r.error().code);
  };
  EXPECT_EQ(opens("same", rewrite("\"force\":\"MET\",\"id\"", "\"force\":\"MET\",\"id\"")), "ok");
  EXPECT_EQ(opens("other-force", rewrite("\"force\":\"MET\",\"id\"", "\"force\":\"WMI\",\"id\"")),
            "malformed");
  EXPECT_EQ(opens("in-pull", rewrite("\"type\":\"outbox\"", "\"type\":\"pull\"")), "malformed");
}

}  // namespace
}  // namespace sealdrop::bundle
