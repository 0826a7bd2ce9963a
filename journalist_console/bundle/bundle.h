// Bundles: sealed items on removable media between the force transfer workstation and the
// air-gapped console. Spec: docs/bundle.md. The one codec for the format.
//
// BundleWriter streams items into an unnamed file and names it only at Commit(), after the
// manifest and trailer are written and fsynced: a crash never leaves a half bundle.
// BundleReader verifies the whole file (trailer, SHA-256, canonical manifest, layout and every
// item's SHA-256) in Open(), before any item is used, and checks each item's hash again when it
// is copied out (removable media can change between two reads).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/import_receipt.h"
#include "common/io.h"
#include "common/progress.h"
#include "common/result.h"
#include "crypto/signed_request.h"

namespace sealdrop::bundle {

inline constexpr std::string_view kMagic = "SDBUNDLE";
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::uint64_t kHeaderBytes = 16;
inline constexpr std::uint64_t kTrailerBytes = 48;
inline constexpr std::uint64_t kMaxManifestBytes = 16u << 20;

struct Item {
  std::string id;    // 32 lower-case hex digits
  std::string kind;  // pull: "report" | "followup"; outbox: "reply" | "forward"
  std::string day;   // YYYY-MM-DD
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::string sha256;  // lower-case hex
  std::string to;      // outbox only: source reference (reply) or force code (forward)
  std::string source;  // forward only, optional: the conversation that moves with it
};

struct Manifest {
  std::string type;  // "pull" | "outbox"
  std::string force;
  std::string day;
  std::vector<Item> items;
  // Outbox only, optional: the console's import receipt (docs/bundle.md §5). Its force is the
  // manifest's force.
  std::optional<ImportReceipt> receipt;
};

class BundleWriter {
 public:
  // Starts a new bundle at `path` (0600, never over an existing file).
  static Result<BundleWriter> Create(const std::string& path, std::string type, std::string force,
                                     std::string day);
  BundleWriter(BundleWriter&&) noexcept;
  ~BundleWriter();

  // Streams one item: BeginItem, then its bytes through item_sink(), then EndItem. `item`'s
  // offset, size and sha256 are filled in here. EndItem fails unless exactly `expected_size`
  // bytes (when non-zero) with an envelope's shape were written.
  Status BeginItem(Item item);
  ByteSink& item_sink();
  Status EndItem(std::uint64_t expected_size = 0);
  // All three in one, from `source`.
  Status AddItem(Item item, ByteSource& source, std::uint64_t expected_size = 0);
  std::size_t item_count() const;
  // An outbox's import receipt (at most one). REQUIRES: an outbox, a valid receipt of this
  // bundle's force.
  void SetReceipt(ImportReceipt receipt);
  // Writes the manifest and trailer, fsyncs and names the file.
  Status Commit();

 private:
  struct State;
  explicit BundleWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class BundleReader {
 public:
  // `progress` sees the bytes hashed in the verifying pass (the whole file, once).
  static Result<BundleReader> Open(const std::string& path, const ByteProgressFn& progress = {});
  // The manifest as the file states it, after the header, trailer, canonical-JSON and layout
  // checks but WITHOUT the digests (one small read, not a pass over the file): for naming the
  // bundles on removable media only. Never import from it: Open() verifies.
  static Result<Manifest> PeekManifest(const std::string& path);
  BundleReader(BundleReader&&) noexcept;
  ~BundleReader();

  const Manifest& manifest() const;
  // Copies item `index` to `sink`, verifying its SHA-256 again.
  Status CopyItem(std::size_t index, ByteSink& sink) const;
  // Item `index` as a stream; its last Read fails (kPayloadCorrupt) if the bytes no longer
  // match the manifest's SHA-256. The reader must outlive it.
  std::unique_ptr<ByteSource> ItemSource(std::size_t index) const;

 private:
  struct State;
  explicit BundleReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

bool IsItemId(std::string_view id);
// A fresh random item id.
std::string NewItemId();

}  // namespace sealdrop::bundle
