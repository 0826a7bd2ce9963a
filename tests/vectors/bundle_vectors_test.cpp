// The bundle codec and the import-receipt codec against tests/vectors/bundle: files made from
// docs/bundle.md alone by make_vectors.py, each labelled with the outcome a reader must give.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/import_receipt.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/process.h"

namespace sealdrop::bundle {
namespace {

const std::string kDir = std::string(SEALDROP_VECTORS_DIR) + "/bundle/";

nlohmann::json Vectors() {
  return nlohmann::json::parse(testing::ReadFileOrDie(kDir + "manifest.json"))["vectors"];
}

bool IsReceiptFile(const std::string& name) {
  return name.size() > 8 && name.substr(name.size() - 8) == ".receipt";
}

TEST(BundleVectors, EveryFileGivesItsLabel) {
  std::size_t checked = 0;
  for (const auto& v : Vectors()) {
    const std::string name = v["file"];
    const std::string expect = v["expect"];
    SCOPED_TRACE(name);
    if (IsReceiptFile(name)) {
      auto r = ParseImportReceipt(testing::ReadFileOrDie(kDir + name));
      EXPECT_EQ(r.ok() ? "ok" : ErrorCodeName(r.error().code), expect);
      if (r.ok()) {
        EXPECT_EQ(EncodeImportReceipt(*r), v["receipt"].get<std::string>());
      }
    } else {
      auto r = BundleReader::Open(kDir + name);
      EXPECT_EQ(r.ok() ? "ok" : ErrorCodeName(r.error().code), expect)
          << (r.ok() ? "" : r.error().message);
      if (r.ok() && v.contains("receipt")) {
        ASSERT_TRUE(r->manifest().receipt.has_value());
        EXPECT_EQ(EncodeImportReceipt(*r->manifest().receipt), v["receipt"].get<std::string>());
      } else if (r.ok()) {
        EXPECT_FALSE(r->manifest().receipt.has_value());
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

// The writer makes exactly the vector's bytes: one canonical encoding.
TEST(BundleVectors, TheWriterReproducesTheReceiptOnlyOutbox) {
  auto receipt = ParseImportReceipt(testing::ReadFileOrDie(kDir + "ok.receipt"));
  ASSERT_TRUE(receipt.ok());
  testing::TempDir dir;
  auto w = BundleWriter::Create(dir / "o.bundle", "outbox", "MET", "2026-11-22");
  ASSERT_TRUE(w.ok());
  w->SetReceipt(*receipt);
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(testing::ReadFileOrDie(dir / "o.bundle"),
            testing::ReadFileOrDie(kDir + "ok-receipt-only.bundle"));
}

}  // namespace
}  // namespace sealdrop::bundle
