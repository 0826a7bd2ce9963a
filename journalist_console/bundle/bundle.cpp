#include "journalist_console/bundle/bundle.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <functional>
#include <set>

#include "common/endian.h"
#include "common/json_depth.h"
#include "crypto/directory.h"
#include "crypto/envelope_format.h"
#include "crypto/keys.h"

namespace sealdrop::bundle {
namespace {

constexpr std::size_t kBlock = 1 << 16;

bool IsHex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kMalformed, "not a valid bundle: " + what);
}

nlohmann::json ItemJson(const Item& it, bool outbox) {
  nlohmann::json j = {{"id", it.id},         {"kind", it.kind}, {"day", it.day},
                      {"offset", it.offset}, {"size", it.size}, {"sha256", it.sha256}};
  if (outbox) j["to"] = it.to;
  if (outbox && !it.source.empty()) j["source"] = it.source;
  return j;
}

// Reads a file by offset (pread): the reader needs the trailer before the rest.
class RandomAccessFile {
 public:
  static Result<RandomAccessFile> Open(const std::string& path) {
    // Bundles come on removable media, which is untrusted: a symbolic link there could name any
    // file on this machine, and a FIFO or device would block or never end. Only the regular file
    // itself is opened (no link followed, checked on the open descriptor, so nothing can be
    // swapped in between a check and the open).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0 && errno == ELOOP) {
      return MakeError(ErrorCode::kInvalidArgument, path + " is a symbolic link: give the bundle file itself");
    }
    if (fd < 0) return MakeError(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return MakeError(ErrorCode::kInvalidArgument, path + " is not a regular file");
    }
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) {
      ::close(fd);
      return MakeError(ErrorCode::kIo, "cannot read " + path);
    }
    return RandomAccessFile(fd, static_cast<std::uint64_t>(end));
  }
  RandomAccessFile(RandomAccessFile&& o) noexcept : fd_(o.fd_), size_(o.size_) { o.fd_ = -1; }
  ~RandomAccessFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint64_t size() const { return size_; }
  Status ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) const {
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                                static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return MakeError(ErrorCode::kTruncated, "bundle ends early");
      done += static_cast<std::size_t>(n);
    }
    return Status::Ok();
  }

 private:
  RandomAccessFile(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  std::uint64_t size_;
};

Result<Manifest> ParseManifest(std::string_view text) {
  if (!JsonDepthWithin(text)) return Malformed("manifest nested too deeply");
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed("manifest is not a JSON object");
  if (j.dump() != text) return Malformed("manifest is not in canonical form");
  auto str = [](const nlohmann::json& o, const char* k) -> std::optional<std::string> {
    if (!o.contains(k) || !o[k].is_string()) return std::nullopt;
    return o[k].get<std::string>();
  };
  auto num = [](const nlohmann::json& o, const char* k) -> std::optional<std::uint64_t> {
    if (!o.contains(k) || !o[k].is_number_unsigned()) return std::nullopt;
    return o[k].get<std::uint64_t>();
  };
  if (num(j, "version") != 1u || !j.contains("items") || !j["items"].is_array()) {
    return Malformed("manifest members");
  }
  Manifest m;
  const auto type = str(j, "type");
  const auto force = str(j, "force");
  const auto day = str(j, "day");
  if (!type || (*type != "pull" && *type != "outbox") || !force || !IsValidForceCode(*force) ||
      !day || !IsValidDay(*day)) {
    return Malformed("manifest header");
  }
  m.type = *type;
  m.force = *force;
  m.day = *day;
  const bool outbox = m.type == "outbox";
  // Only an outbox may carry an import receipt, and only one made by its own force.
  const bool has_receipt = j.contains("receipt");
  if (j.size() != (has_receipt ? 6u : 5u) || (has_receipt && !outbox)) {
    return Malformed("manifest members");
  }
  if (has_receipt) {
    if (!j["receipt"].is_object()) return Malformed("import receipt");
    // The manifest is canonical, so this is the receipt's text exactly as it was written.
    auto receipt = ParseImportReceipt(j["receipt"].dump());
    if (!receipt) return Malformed("import receipt");
    if (receipt->force != m.force) return Malformed("import receipt of another force");
    m.receipt = std::move(*receipt);
  }
  for (const auto& e : j["items"]) {
    if (!e.is_object()) return Malformed("item");
    Item it;
    const auto id = str(e, "id");
    const auto kind = str(e, "kind");
    const auto iday = str(e, "day");
    const auto sha = str(e, "sha256");
    const auto off = num(e, "offset");
    const auto size = num(e, "size");
    if (!id || !IsItemId(*id) || !kind || !iday || !IsValidDay(*iday) || !sha || !IsHex(*sha, 64) ||
        !off || !size) {
      return Malformed("item members");
    }
    it.id = *id;
    it.kind = *kind;
    it.day = *iday;
    it.sha256 = *sha;
    it.offset = *off;
    it.size = *size;
    std::size_t expected_members = 6;
    if (outbox) {
      const auto to = str(e, "to");
      if (!to) return Malformed("item without a destination");
      it.to = *to;
      ++expected_members;
      if (it.kind == "reply") {
        if (!IsHex(it.to, 64)) return Malformed("reply destination");
      } else if (it.kind == "forward") {
        if (!IsValidForceCode(it.to)) return Malformed("forward destination");
        if (e.contains("source")) {
          const auto src = str(e, "source");
          if (!src || !IsHex(*src, 64)) return Malformed("forward source");
          it.source = *src;
          ++expected_members;
        }
      } else {
        return Malformed("outbox item kind");
      }
    } else if (it.kind != "report" && it.kind != "followup") {
      return Malformed("pull item kind");
    }
    if (e.size() != expected_members) return Malformed("item members");
    m.items.push_back(std::move(it));
  }
  return m;
}

std::string DigestHex(BodyHasher& h) { return HexEncode(h.Final()); }

}  // namespace

bool IsItemId(std::string_view id) { return IsHex(id, 32); }

std::string NewItemId() {
  std::uint8_t raw[16];
  randombytes_buf(raw, sizeof raw);
  return HexEncode(raw);
}

// ---------------------------------------------------------------------------------------------
class ItemSinkImpl;

struct BundleWriter::State {
  AtomicFile file;
  Manifest manifest;
  BodyHasher whole;
  std::uint64_t offset = kHeaderBytes;
  std::set<std::string> ids;
  std::unique_ptr<ItemSinkImpl> current;
  Item pending;
  Status Write(std::span<const std::uint8_t> bytes) {
    whole.Update(bytes);
    return file.Write(bytes);
  }
};

BundleWriter::BundleWriter(std::unique_ptr<State> s) : state_(std::move(s)) {}
BundleWriter::BundleWriter(BundleWriter&&) noexcept = default;
BundleWriter::~BundleWriter() = default;

Result<BundleWriter> BundleWriter::Create(const std::string& path, std::string type,
                                          std::string force, std::string day) {
  if ((type != "pull" && type != "outbox") || !IsValidForceCode(force) || !IsValidDay(day)) {
    Die("BundleWriter: bad manifest header");
  }
  auto file = AtomicFile::Create(path, 0600, /*overwrite=*/false);
  if (!file) return file.error();
  auto s = std::make_unique<State>(State{std::move(*file),
                                         {std::move(type), std::move(force), std::move(day), {}, std::nullopt},
                                         {}, kHeaderBytes, {}, nullptr, {}});
  std::uint8_t header[kHeaderBytes] = {};
  std::memcpy(header, kMagic.data(), kMagic.size());
  header[8] = kVersion;
  if (auto st = s->Write(header); !st) return st.error();
  return BundleWriter(std::move(s));
}

// Counts, hashes and shape-checks an item's bytes on their way into the bundle.
class ItemSinkImpl final : public ByteSink {
 public:
  explicit ItemSinkImpl(std::function<Status(std::span<const std::uint8_t>)> out)
      : out_(std::move(out)) {}
  Status Write(std::span<const std::uint8_t> bytes) override {
    for (std::size_t i = 0; preamble.size() < envelope::kPreambleBytes && i < bytes.size(); ++i) {
      preamble.push_back(bytes[i]);
    }
    hasher.Update(bytes);
    size += bytes.size();
    return out_(bytes);
  }
  BodyHasher hasher;
  std::vector<std::uint8_t> preamble;
  std::uint64_t size = 0;

 private:
  std::function<Status(std::span<const std::uint8_t>)> out_;
};

Status BundleWriter::BeginItem(Item item) {
  if (state_->current) Die("BundleWriter: BeginItem inside an item");
  if (!IsItemId(item.id) || !state_->ids.insert(item.id).second) {
    return MakeError(ErrorCode::kInvalidArgument, "bad or repeated item id");
  }
  state_->pending = std::move(item);
  State* s = state_.get();
  state_->current = std::make_unique<ItemSinkImpl>(
      [s](std::span<const std::uint8_t> b) { return s->Write(b); });
  return Status::Ok();
}

ByteSink& BundleWriter::item_sink() {
  if (!state_->current) Die("BundleWriter: item_sink outside an item");
  return *state_->current;
}

Status BundleWriter::EndItem(std::uint64_t expected_size) {
  if (!state_->current) Die("BundleWriter: EndItem outside an item");
  auto cur = std::move(state_->current);
  if (expected_size != 0 && cur->size != expected_size) {
    return MakeError(ErrorCode::kTruncated, "an item arrived incomplete");
  }
  if (!envelope::HasEnvelopeShape(cur->preamble, cur->size)) {
    return MakeError(ErrorCode::kMalformed, "an item is not a sealed envelope");
  }
  Item item = std::move(state_->pending);
  item.offset = state_->offset;
  item.size = cur->size;
  item.sha256 = DigestHex(cur->hasher);
  state_->offset += cur->size;
  state_->manifest.items.push_back(std::move(item));
  return Status::Ok();
}

Status BundleWriter::AddItem(Item item, ByteSource& source, std::uint64_t expected_size) {
  if (auto st = BeginItem(std::move(item)); !st) return st;
  std::vector<std::uint8_t> buf(kBlock);
  for (;;) {
    auto n = source.Read(buf);
    if (!n) return n.error();
    if (*n == 0) break;
    if (auto st = item_sink().Write(std::span(buf.data(), *n)); !st) return st;
  }
  return EndItem(expected_size);
}

std::size_t BundleWriter::item_count() const { return state_->manifest.items.size(); }

void BundleWriter::SetReceipt(ImportReceipt receipt) {
  if (state_->manifest.type != "outbox" || !IsValidImportReceipt(receipt) ||
      receipt.force != state_->manifest.force) {
    Die("BundleWriter: bad import receipt");
  }
  state_->manifest.receipt = std::move(receipt);
}

Status BundleWriter::Commit() {
  if (state_->current) Die("BundleWriter: Commit inside an item");
  const Manifest& m = state_->manifest;
  const bool outbox = m.type == "outbox";
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : m.items) items.push_back(ItemJson(it, outbox));
  nlohmann::json j = {{"version", 1}, {"type", m.type}, {"force", m.force},
                      {"day", m.day},  {"items", items}};
  if (m.receipt) j["receipt"] = nlohmann::json::parse(EncodeImportReceipt(*m.receipt));
  const std::string text = j.dump();
  if (text.size() > kMaxManifestBytes) return MakeError(ErrorCode::kLimitExceeded, "too many items");
  if (auto st = state_->Write(AsBytes(text)); !st) return st;
  std::uint8_t trailer[kTrailerBytes];
  StoreLittleEndian<std::uint64_t>(trailer, state_->offset);
  StoreLittleEndian<std::uint64_t>(trailer + 8, text.size());
  const BodyDigest digest = state_->whole.Final();
  std::memcpy(trailer + 16, digest.data(), digest.size());
  if (auto st = state_->file.Write(trailer); !st) return st;
  return state_->file.Commit();
}

// ---------------------------------------------------------------------------------------------
struct BundleReader::State {
  RandomAccessFile file;
  Manifest manifest;
};

BundleReader::BundleReader(std::unique_ptr<State> s) : state_(std::move(s)) {}
BundleReader::BundleReader(BundleReader&&) noexcept = default;
BundleReader::~BundleReader() = default;

const Manifest& BundleReader::manifest() const { return state_->manifest; }

namespace {

// What Open() and PeekManifest() check before any digest: header, trailer, manifest, layout.
struct Framing {
  std::uint8_t header[kHeaderBytes];
  std::uint8_t trailer[kTrailerBytes];
  std::string text;  // the manifest
  Manifest manifest;
};

Result<Framing> ReadFraming(const RandomAccessFile* file) {
  Framing f;
  std::uint8_t (&header)[kHeaderBytes] = f.header;
  std::uint8_t (&trailer)[kTrailerBytes] = f.trailer;
  const std::uint64_t total = file->size();
  if (total < kHeaderBytes + kTrailerBytes) {
    return MakeError(ErrorCode::kTruncated, "not a valid bundle: too short");
  }
  if (auto st = file->ReadAt(0, header); !st) return st.error();
  if (std::memcmp(header, kMagic.data(), kMagic.size()) != 0) {
    return MakeError(ErrorCode::kBadMagic, "not a SealDrop bundle");
  }
  if (header[8] != kVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unsupported bundle version");
  }
  for (int i = 9; i < 16; ++i) {
    if (header[i] != 0) return Malformed("reserved header bytes");
  }
  if (auto st = file->ReadAt(total - kTrailerBytes, trailer); !st) return st.error();
  const std::uint64_t m_off = LoadLittleEndian<std::uint64_t>(trailer);
  const std::uint64_t m_len = LoadLittleEndian<std::uint64_t>(trailer + 8);
  if (m_len > kMaxManifestBytes || m_off < kHeaderBytes || m_off > total ||
      m_off + m_len + kTrailerBytes != total) {
    // The commonest cause by far is a copy cut short.
    return MakeError(ErrorCode::kTruncated, "not a valid bundle: truncated or damaged");
  }
  std::string text(m_len, '\0');
  if (auto st = file->ReadAt(m_off, std::span(reinterpret_cast<std::uint8_t*>(text.data()), m_len));
      !st) {
    return st.error();
  }
  auto manifest = ParseManifest(text);
  if (!manifest) return manifest.error();
  // Layout: contiguous items from the header to the manifest.
  std::uint64_t expected = kHeaderBytes;
  std::set<std::string> ids;
  for (const auto& it : manifest->items) {
    if (it.offset != expected || it.size < envelope::kMinSealedBytes ||
        it.size > m_off - expected || !ids.insert(it.id).second) {
      return Malformed("item layout");
    }
    expected += it.size;
  }
  if (expected != m_off) return Malformed("item layout");
  f.text = std::move(text);
  f.manifest = std::move(*manifest);
  return f;
}

}  // namespace

Result<Manifest> BundleReader::PeekManifest(const std::string& path) {
  auto file = RandomAccessFile::Open(path);
  if (!file) return file.error();
  auto framing = ReadFraming(&*file);
  if (!framing) return framing.error();
  return std::move(framing->manifest);
}

Result<BundleReader> BundleReader::Open(const std::string& path, const ByteProgressFn& progress_fn) {
  auto file = RandomAccessFile::Open(path);
  if (!file) return file.error();
  auto framing = ReadFraming(&*file);
  if (!framing) return framing.error();
  const std::uint8_t* header = framing->header;
  const std::uint8_t* trailer = framing->trailer;
  const std::string& text = framing->text;
  auto* manifest = &framing->manifest;
  ByteProgress progress(progress_fn, file->size());
  progress.Start();

  // One pass: the whole-file digest and every item's digest.
  BodyHasher whole;
  whole.Update(std::span(header, kHeaderBytes));
  progress.Advance(kHeaderBytes);
  std::vector<std::uint8_t> buf(kBlock);
  for (const auto& it : manifest->items) {
    BodyHasher item_hash;
    for (std::uint64_t done = 0; done < it.size;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, it.size - done));
      if (auto st = file->ReadAt(it.offset + done, std::span(buf.data(), n)); !st) return st.error();
      whole.Update(std::span(buf.data(), n));
      item_hash.Update(std::span(buf.data(), n));
      done += n;
      progress.Advance(n);
    }
    if (DigestHex(item_hash) != it.sha256) {
      return MakeError(ErrorCode::kPayloadCorrupt, "bundle item " + it.id + " is damaged");
    }
  }
  whole.Update(AsBytes(text));
  const BodyDigest digest = whole.Final();
  if (sodium_memcmp(digest.data(), trailer + 16, digest.size()) != 0) {
    return MakeError(ErrorCode::kPayloadCorrupt, "bundle is damaged (checksum mismatch)");
  }
  progress.Finish();
  return BundleReader(std::make_unique<State>(State{std::move(*file), std::move(*manifest)}));
}

Status BundleReader::CopyItem(std::size_t index, ByteSink& sink) const {
  const Item& it = state_->manifest.items.at(index);
  BodyHasher hasher;
  std::vector<std::uint8_t> buf(kBlock);
  for (std::uint64_t done = 0; done < it.size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, it.size - done));
    if (auto st = state_->file.ReadAt(it.offset + done, std::span(buf.data(), n)); !st) return st;
    hasher.Update(std::span(buf.data(), n));
    if (auto st = sink.Write(std::span(buf.data(), n)); !st) return st;
    done += n;
  }
  if (DigestHex(hasher) != it.sha256) {
    return MakeError(ErrorCode::kPayloadCorrupt, "bundle item changed while it was read");
  }
  return Status::Ok();
}

namespace {

class ItemStream final : public ByteSource {
 public:
  ItemStream(const RandomAccessFile& file, const Item& item) : file_(file), item_(item) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    if (done_ >= item_.size) {
      if (!checked_) {
        checked_ = true;
        if (DigestHex(hasher_) != item_.sha256) {
          return MakeError(ErrorCode::kPayloadCorrupt, "bundle item changed while it was read");
        }
      }
      return std::size_t{0};
    }
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), item_.size - done_));
    if (auto st = file_.ReadAt(item_.offset + done_, out.first(n)); !st) return st.error();
    hasher_.Update(out.first(n));
    done_ += n;
    return n;
  }

 private:
  const RandomAccessFile& file_;
  const Item& item_;
  BodyHasher hasher_;
  std::uint64_t done_ = 0;
  bool checked_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> BundleReader::ItemSource(std::size_t index) const {
  return std::make_unique<ItemStream>(state_->file, state_->manifest.items.at(index));
}

}  // namespace sealdrop::bundle
