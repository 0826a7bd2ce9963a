#include "crypto/envelope_writer.h"

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

struct SealedEnvelopeWriter::State {
  ByteSink* sink = nullptr;
  crypto_secretstream_xchacha20poly1305_state stream{};
  SecretBuffer chunk{kChunkBytes};  // plaintext being filled
  std::size_t filled = 0;
  // Part data waiting to become a DATA record. Records are always full (65536 bytes) except the
  // last of a part, so the layout, and so the padded size, depends only on the parts' sizes and
  // never on how the caller happened to split its writes.
  SecretBuffer data{kMaxDataRecordBytes};
  std::size_t data_filled = 0;
  std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(kSealedChunkBytes);
  std::uint64_t logical = 0;
  bool in_part = false;
  bool finished = false;
  bool failed = false;

  ~State() { sodium_memzero(&stream, sizeof stream); }

  Status EmitChunk(std::uint8_t tag) {
    unsigned long long out_len = 0;
    crypto_secretstream_xchacha20poly1305_push(&stream, sealed.data(), &out_len, chunk.data(),
                                               kChunkBytes, nullptr, 0, tag);
    filled = 0;
    return sink->Write(std::span(sealed.data(), static_cast<std::size_t>(out_len)));
  }

  // Appends plaintext; a full chunk is sealed only when more bytes follow, so that the last
  // chunk can carry the final tag.
  Status Append(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
      if (filled == kChunkBytes) {
        if (auto st = EmitChunk(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE); !st) {
          return st;
        }
      }
      const std::size_t n = std::min(bytes.size(), kChunkBytes - filled);
      std::memcpy(chunk.data() + filled, bytes.data(), n);
      filled += n;
      logical += n;
      bytes = bytes.subspan(n);
    }
    return Status::Ok();
  }

  Status AppendRecord(RecordType type, std::span<const std::uint8_t> body) {
    if (logical + kRecordHeaderBytes + body.size() > kMaxContentBytes) {
      return MakeError(ErrorCode::kLimitExceeded, "envelope content too large");
    }
    std::uint8_t hdr[kRecordHeaderBytes];
    hdr[0] = static_cast<std::uint8_t>(type);
    const auto len = static_cast<std::uint32_t>(body.size());
    StoreLittleEndian(hdr + 1, len);
    if (auto st = Append(hdr); !st) return st;
    return Append(body);
  }

  Status FlushData() {
    if (data_filled == 0) return Status::Ok();
    const std::size_t n = data_filled;
    data_filled = 0;
    return AppendRecord(RecordType::kData, std::span<const std::uint8_t>(data.data(), n));
  }

  Status Guard() const {
    if (finished) Die("SealedEnvelopeWriter used after Finish");
    if (failed) return MakeError(ErrorCode::kIo, "envelope writer failed earlier");
    return Status::Ok();
  }

  Status Track(Status st) {
    if (!st) failed = true;
    return st;
  }
};

SealedEnvelopeWriter::SealedEnvelopeWriter(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
SealedEnvelopeWriter::SealedEnvelopeWriter(SealedEnvelopeWriter&&) noexcept = default;
SealedEnvelopeWriter& SealedEnvelopeWriter::operator=(SealedEnvelopeWriter&&) noexcept = default;
SealedEnvelopeWriter::~SealedEnvelopeWriter() = default;

Result<SealedEnvelopeWriter> SealedEnvelopeWriter::Begin(ByteSink& sink,
                                                         std::span<const PublicKey> recipients,
                                                         std::string_view metadata_json) {
  EnsureSodium();
  if (recipients.empty() || recipients.size() > kMaxRecipients) {
    return MakeError(ErrorCode::kInvalidArgument, "an envelope needs 1 to 16 recipients");
  }
  for (const auto& r : recipients) {
    if (IsSigningRole(r.role)) {
      return MakeError(ErrorCode::kInvalidArgument, "recipient is not an encryption key");
    }
  }
  if (metadata_json.size() > kMaxMetaBytes) {
    return MakeError(ErrorCode::kLimitExceeded, "envelope metadata too large");
  }
  if (!JsonDepthWithin(metadata_json)) {
    return MakeError(ErrorCode::kInvalidArgument, "envelope metadata is nested too deeply");
  }
  const auto meta = nlohmann::json::parse(metadata_json, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "envelope metadata must be a JSON object");
  }
  // Stored in canonical form (compact, keys sorted) so that readers can insist on it.
  const std::string canonical_meta = meta.dump();
  if (canonical_meta.size() > kMaxMetaBytes) {
    return MakeError(ErrorCode::kLimitExceeded, "envelope metadata too large");
  }

  auto state = std::make_unique<State>();
  state->sink = &sink;

  SecretBuffer file_key(kFileKeyBytes);
  randombytes_buf(file_key.data(), file_key.size());

  std::vector<std::uint8_t> header;
  header.reserve(kPreambleBytes + recipients.size() * kStanzaBytes + kHeaderMacBytes +
                 kStreamHeaderBytes);
  header.insert(header.end(), kMagic.begin(), kMagic.end());
  header.push_back(kVersion);
  header.push_back(static_cast<std::uint8_t>(recipients.size()));
  for (const auto& r : recipients) {
    std::uint8_t stanza[kStanzaBytes];
    static_assert(kStanzaBytes == kFileKeyBytes + crypto_box_SEALBYTES);
    if (crypto_box_seal(stanza, file_key.data(), kFileKeyBytes, r.bytes.data()) != 0) {
      return MakeError(ErrorCode::kInvalidArgument, "recipient key rejected");
    }
    header.insert(header.end(), stanza, stanza + kStanzaBytes);
  }

  SecretBuffer mac_key(crypto_auth_hmacsha512256_KEYBYTES);
  crypto_kdf_derive_from_key(mac_key.data(), mac_key.size(), kMacKeyId, kMacKeyContext,
                             file_key.data());
  std::uint8_t mac[kHeaderMacBytes];
  crypto_auth_hmacsha512256(mac, header.data(), header.size(), mac_key.data());
  header.insert(header.end(), mac, mac + kHeaderMacBytes);

  SecretBuffer payload_key(crypto_secretstream_xchacha20poly1305_KEYBYTES);
  crypto_kdf_derive_from_key(payload_key.data(), payload_key.size(), kPayloadKeyId,
                             kPayloadKeyContext, file_key.data());
  std::uint8_t stream_header[kStreamHeaderBytes];
  crypto_secretstream_xchacha20poly1305_init_push(&state->stream, stream_header,
                                                  payload_key.data());
  header.insert(header.end(), stream_header, stream_header + kStreamHeaderBytes);

  if (auto st = sink.Write(header); !st) return st.error();
  if (auto st = state->AppendRecord(RecordType::kMeta, AsBytes(canonical_meta)); !st) {
    return st.error();
  }
  return SealedEnvelopeWriter(std::move(state));
}

Status SealedEnvelopeWriter::BeginPart(const PartInfo& part) {
  if (auto st = state_->Guard(); !st) return st;
  const nlohmann::json header = {{"name", part.name}, {"type", part.content_type}};
  std::string encoded;
  try {
    encoded = header.dump();
  } catch (const nlohmann::json::exception&) {  // invalid UTF-8 in name or type
    return MakeError(ErrorCode::kInvalidArgument, "part name or type is not valid UTF-8");
  }
  if (encoded.size() > kMaxPartHeaderBytes) {
    return MakeError(ErrorCode::kLimitExceeded, "part name or type too long");
  }
  if (auto st = state_->Track(state_->FlushData()); !st) return st;
  state_->in_part = true;
  return state_->Track(state_->AppendRecord(RecordType::kPart, AsBytes(encoded)));
}

Status SealedEnvelopeWriter::Write(std::span<const std::uint8_t> bytes) {
  if (auto st = state_->Guard(); !st) return st;
  if (!state_->in_part) Die("SealedEnvelopeWriter::Write before BeginPart");
  State& s = *state_;
  while (!bytes.empty()) {
    if (s.data_filled == kMaxDataRecordBytes) {
      if (auto st = s.Track(s.FlushData()); !st) return st;
    }
    const std::size_t n = std::min(bytes.size(), kMaxDataRecordBytes - s.data_filled);
    std::memcpy(s.data.data() + s.data_filled, bytes.data(), n);
    s.data_filled += n;
    bytes = bytes.subspan(n);
  }
  return Status::Ok();
}

Status SealedEnvelopeWriter::Finish() {
  if (auto st = state_->Guard(); !st) return st;
  if (auto st = state_->Track(state_->FlushData()); !st) return st;
  if (auto st = state_->Track(state_->AppendRecord(RecordType::kEnd, {})); !st) return st;
  const std::uint64_t padded = PaddedStreamBytes(state_->logical);
  static const std::uint8_t kZeros[4096] = {};
  std::uint64_t remaining = padded - state_->logical;
  while (remaining > 0) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, sizeof kZeros));
    if (auto st = state_->Track(state_->Append(std::span(kZeros, n))); !st) return st;
    remaining -= n;
  }
  // The padded length is a whole number of chunks, so the buffer is exactly full here.
  if (state_->filled != kChunkBytes) Die("envelope padding did not end on a chunk boundary");
  auto st = state_->Track(state_->EmitChunk(crypto_secretstream_xchacha20poly1305_TAG_FINAL));
  state_->finished = true;
  return st;
}

std::uint64_t SealedEnvelopeWriter::logical_bytes() const {
  const std::size_t pending = state_->data_filled;
  return state_->logical + (pending > 0 ? kRecordHeaderBytes + pending : 0);
}

Result<std::vector<std::uint8_t>> SealToBytes(std::span<const PublicKey> recipients,
                                              std::string_view metadata_json,
                                              const PartInfo& part,
                                              std::span<const std::uint8_t> content) {
  MemorySink sink;
  auto writer = SealedEnvelopeWriter::Begin(sink, recipients, metadata_json);
  if (!writer) return writer.error();
  if (auto st = writer->BeginPart(part); !st) return st.error();
  if (auto st = writer->Write(content); !st) return st.error();
  if (auto st = writer->Finish(); !st) return st.error();
  return std::move(sink.bytes());
}

}  // namespace sealdrop
