#include "crypto/envelope_reader.h"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/endian.h"
#include "common/json_depth.h"
#include "crypto/envelope_format.h"
#include "crypto/sodium.h"

namespace sealdrop {

using namespace envelope;

namespace {

Error Fail(ErrorCode code, const char* what) {
  return MakeError(code, std::string("sealed envelope: ") + what);
}

}  // namespace

struct SealedEnvelopeReader::State {
  ByteSource* source = nullptr;
  crypto_secretstream_xchacha20poly1305_state stream{};
  std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(kSealedChunkBytes);
  SecretBuffer chunk{kChunkBytes};
  std::size_t avail = 0;  // plaintext bytes in `chunk`
  std::size_t pos = 0;    // next unread byte in `chunk`
  bool final_seen = false;
  std::uint64_t plaintext_total = 0;  // plaintext bytes decrypted so far

  // Record parser.
  std::uint8_t record_header[kRecordHeaderBytes] = {};
  std::size_t header_have = 0;
  bool in_body = false;
  RecordType type = RecordType::kEnd;
  std::uint32_t remaining = 0;
  SecretBuffer body;  // META or PART body being collected
  std::size_t body_have = 0;
  std::uint64_t logical_end = 0;  // offset just past the END record
  bool seen_meta = false;
  bool in_part = false;
  bool short_data = false;  // the last record was a DATA record of less than the maximum
  bool ended = false;
  std::size_t key_index = 0;
  SecretBuffer metadata;

  ~State() { sodium_memzero(&stream, sizeof stream); }

  // Loads and authenticates the next chunk.
  Status LoadChunk() {
    if (final_seen) return Fail(ErrorCode::kMalformed, "content ends without an end record");
    auto got = ReadFull(*source, sealed);
    if (!got) return got.error();
    if (*got != kSealedChunkBytes) return Fail(ErrorCode::kTruncated, "stream is truncated");
    unsigned long long len = 0;
    std::uint8_t tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&stream, chunk.data(), &len, &tag,
                                                   sealed.data(), sealed.size(), nullptr,
                                                   0) != 0) {
      return Fail(ErrorCode::kPayloadCorrupt, "a payload chunk failed authentication");
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      final_seen = true;
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      return Fail(ErrorCode::kMalformed, "unexpected chunk tag");
    }
    avail = static_cast<std::size_t>(len);
    pos = 0;
    plaintext_total += avail;
    return Status::Ok();
  }

  std::uint64_t Offset() const { return plaintext_total - (avail - pos); }

  // After the END record: the rest must be zero padding of exactly the canonical length,
  // closed by the final chunk, with nothing after it.
  Status VerifyPadding() {
    for (;;) {
      for (std::size_t i = pos; i < avail; ++i) {
        if (chunk.data()[i] != 0) return Fail(ErrorCode::kMalformed, "non-zero padding");
      }
      pos = avail;
      if (final_seen) break;
      if (plaintext_total >= PaddedStreamBytes(logical_end)) {
        // Stop before decrypting padding the canonical length does not allow: bounded work.
        return Fail(ErrorCode::kMalformed, "padding is not the canonical length");
      }
      if (auto st = LoadChunk(); !st) return st;
    }
    if (plaintext_total != PaddedStreamBytes(logical_end)) {
      return Fail(ErrorCode::kMalformed, "padding is not the canonical length");
    }
    std::uint8_t extra = 0;
    auto got = source->Read(std::span(&extra, 1));
    if (!got) return got.error();
    if (*got != 0) return Fail(ErrorCode::kTrailingData, "data after the final chunk");
    return Status::Ok();
  }

  Status StartRecord() {
    const auto t = record_header[0];
    const auto len = LoadLittleEndian<std::uint32_t>(record_header + 1);
    header_have = 0;
    if (t < 1 || t > 4) return Fail(ErrorCode::kMalformed, "unknown record type");
    type = static_cast<RecordType>(t);
    remaining = len;
    if (type == RecordType::kData && short_data) {
      return Fail(ErrorCode::kMalformed, "a short data record is not the last of its part");
    }
    short_data = type == RecordType::kData && len < kMaxDataRecordBytes;
    switch (type) {
      case RecordType::kMeta:
        if (seen_meta) return Fail(ErrorCode::kMalformed, "second metadata record");
        if (len > kMaxMetaBytes) return Fail(ErrorCode::kMalformed, "metadata record too long");
        seen_meta = true;
        break;
      case RecordType::kPart:
        if (len > kMaxPartHeaderBytes) return Fail(ErrorCode::kMalformed, "part header too long");
        break;
      case RecordType::kData:
        if (!in_part) return Fail(ErrorCode::kMalformed, "data outside a part");
        if (len == 0 || len > kMaxDataRecordBytes) {
          return Fail(ErrorCode::kMalformed, "bad data record length");
        }
        break;
      case RecordType::kEnd:
        if (len != 0) return Fail(ErrorCode::kMalformed, "end record with a body");
        break;
    }
    if (!seen_meta) return Fail(ErrorCode::kMalformed, "first record is not metadata");
    if (type == RecordType::kMeta || type == RecordType::kPart) {
      body = SecretBuffer(len);
      body_have = 0;
    }
    in_body = true;
    return Status::Ok();
  }

  // Advances the parser; returns an event when one is complete.
  // `want_meta_only` stops after the metadata record (used by Open).
  Result<Event> Advance(bool want_meta_only) {
    for (;;) {
      if (ended) return Event{Event::Kind::kEnd, {}, {}};
      if (in_body && remaining == 0) {
        in_body = false;
        switch (type) {
          case RecordType::kMeta:
            if (!CanonicalJsonObject(body.view())) {
              return Fail(ErrorCode::kMalformed, "metadata is not a canonical JSON object");
            }
            metadata = std::move(body);
            if (want_meta_only) return Event{Event::Kind::kEnd, {}, {}};
            continue;
          case RecordType::kPart: {
            auto part = ParsePart(body.view());
            if (!part) return part.error();
            in_part = true;
            return Event{Event::Kind::kPartBegin, std::move(*part), {}};
          }
          case RecordType::kEnd:
            logical_end = Offset();
            if (auto st = VerifyPadding(); !st) return st.error();
            ended = true;
            return Event{Event::Kind::kEnd, {}, {}};
          case RecordType::kData:
            continue;
        }
      }
      if (pos == avail) {
        if (auto st = LoadChunk(); !st) return st.error();
        continue;
      }
      if (!in_body) {
        const std::size_t n = std::min(kRecordHeaderBytes - header_have, avail - pos);
        std::memcpy(record_header + header_have, chunk.data() + pos, n);
        header_have += n;
        pos += n;
        if (header_have == kRecordHeaderBytes) {
          if (auto st = StartRecord(); !st) return st.error();
        }
        continue;
      }
      const std::size_t n = std::min<std::size_t>(remaining, avail - pos);
      const auto bytes = std::span<const std::uint8_t>(chunk.data() + pos, n);
      pos += n;
      remaining -= static_cast<std::uint32_t>(n);
      if (type == RecordType::kData) return Event{Event::Kind::kData, {}, bytes};
      std::memcpy(body.data() + body_have, bytes.data(), n);
      body_have += n;
    }
  }

  // Compact, keys sorted, no duplicate keys, no byte order mark: exactly what the writer makes.
  static bool CanonicalJsonObject(std::string_view text) {
    if (!JsonDepthWithin(text)) return false;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    return !j.is_discarded() && j.is_object() && j.dump() == text;
  }

  static Result<PartInfo> ParsePart(std::string_view text) {
    if (!JsonDepthWithin(text)) return Fail(ErrorCode::kMalformed, "bad part header");
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.size() != 2 || !j.contains("name") ||
        !j.contains("type") || !j["name"].is_string() || !j["type"].is_string() ||
        j.dump() != text) {
      return Fail(ErrorCode::kMalformed, "bad part header");
    }
    return PartInfo{j["name"].get<std::string>(), j["type"].get<std::string>()};
  }
};

SealedEnvelopeReader::SealedEnvelopeReader(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
SealedEnvelopeReader::SealedEnvelopeReader(SealedEnvelopeReader&&) noexcept = default;
SealedEnvelopeReader& SealedEnvelopeReader::operator=(SealedEnvelopeReader&&) noexcept = default;
SealedEnvelopeReader::~SealedEnvelopeReader() = default;

std::string_view SealedEnvelopeReader::metadata() const { return state_->metadata.view(); }
std::size_t SealedEnvelopeReader::key_index() const { return state_->key_index; }

Result<SealedEnvelopeReader> SealedEnvelopeReader::Open(ByteSource& source,
                                                        std::span<const KeyPair> keys) {
  EnsureSodium();
  for (const auto& k : keys) {
    if (IsSigningRole(k.public_key.role) || k.secret.size() != crypto_box_SECRETKEYBYTES) {
      Die("SealedEnvelopeReader::Open: keys must be X25519 key pairs");
    }
  }
  std::uint8_t preamble[kPreambleBytes];
  auto got = ReadFull(source, preamble);
  if (!got) return got.error();
  const std::size_t magic_have = std::min(*got, kMagic.size());
  if (std::memcmp(preamble, kMagic.data(), magic_have) != 0 || *got == 0) {
    return Fail(ErrorCode::kBadMagic, "not a SealDrop envelope");
  }
  if (*got < kPreambleBytes) {
    if (*got > kMagic.size() && preamble[kMagic.size()] != kVersion) {
      return Fail(ErrorCode::kUnsupportedVersion, "unsupported envelope version");
    }
    return Fail(ErrorCode::kTruncated, "header is truncated");
  }
  if (preamble[kMagic.size()] != kVersion) {
    return Fail(ErrorCode::kUnsupportedVersion, "unsupported envelope version");
  }
  const std::size_t count = preamble[kMagic.size() + 1];
  if (count == 0 || count > kMaxRecipients) {
    return Fail(ErrorCode::kMalformed, "bad recipient count");
  }

  std::vector<std::uint8_t> header(kPreambleBytes + count * kStanzaBytes + kHeaderMacBytes +
                                   kStreamHeaderBytes);
  std::memcpy(header.data(), preamble, kPreambleBytes);
  got = ReadFull(source, std::span(header).subspan(kPreambleBytes));
  if (!got) return got.error();
  if (*got != header.size() - kPreambleBytes) {
    return Fail(ErrorCode::kTruncated, "header is truncated");
  }

  // Try every stanza with every key: no key identifiers are in the clear.
  SecretBuffer file_key(kFileKeyBytes);
  bool opened = false;
  auto state = std::make_unique<State>();
  for (std::size_t s = 0; s < count && !opened; ++s) {
    const std::uint8_t* stanza = header.data() + kPreambleBytes + s * kStanzaBytes;
    for (std::size_t k = 0; k < keys.size() && !opened; ++k) {
      if (crypto_box_seal_open(file_key.data(), stanza, kStanzaBytes,
                               keys[k].public_key.bytes.data(), keys[k].secret.data()) == 0) {
        opened = true;
        state->key_index = k;
      }
    }
  }
  if (!opened) return Fail(ErrorCode::kNoMatchingKey, "none of the keys can open this envelope");

  const std::size_t mac_at = kPreambleBytes + count * kStanzaBytes;
  SecretBuffer mac_key(crypto_auth_hmacsha512256_KEYBYTES);
  crypto_kdf_derive_from_key(mac_key.data(), mac_key.size(), kMacKeyId, kMacKeyContext,
                             file_key.data());
  if (crypto_auth_hmacsha512256_verify(header.data() + mac_at, header.data(), mac_at,
                                       mac_key.data()) != 0) {
    return Fail(ErrorCode::kHeaderMacMismatch, "header MAC does not match");
  }

  SecretBuffer payload_key(crypto_secretstream_xchacha20poly1305_KEYBYTES);
  crypto_kdf_derive_from_key(payload_key.data(), payload_key.size(), kPayloadKeyId,
                             kPayloadKeyContext, file_key.data());
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          &state->stream, header.data() + mac_at + kHeaderMacBytes, payload_key.data()) != 0) {
    return Fail(ErrorCode::kPayloadCorrupt, "bad stream header");
  }
  state->source = &source;
  auto meta = state->Advance(/*want_meta_only=*/true);
  if (!meta) return meta.error();
  return SealedEnvelopeReader(std::move(state));
}

Result<SealedEnvelopeReader::Event> SealedEnvelopeReader::Next() {
  return state_->Advance(/*want_meta_only=*/false);
}

Result<OpenedEnvelope> OpenFromBytes(std::span<const std::uint8_t> sealed,
                                     std::span<const KeyPair> keys) {
  MemorySource source(sealed);
  auto reader = SealedEnvelopeReader::Open(source, keys);
  if (!reader) return reader.error();
  OpenedEnvelope out;
  out.metadata = std::string(reader->metadata());
  for (;;) {
    auto ev = reader->Next();
    if (!ev) return ev.error();
    switch (ev->kind) {
      case SealedEnvelopeReader::Event::Kind::kPartBegin:
        out.parts.push_back(ev->part);
        out.contents.emplace_back();
        break;
      case SealedEnvelopeReader::Event::Kind::kData:
        out.contents.back().append(reinterpret_cast<const char*>(ev->data.data()),
                                   ev->data.size());
        break;
      case SealedEnvelopeReader::Event::Kind::kEnd:
        return out;
    }
  }
}

}  // namespace sealdrop
