// SealedEnvelopeReader: opens a sealed envelope v1 as a stream. Spec: docs/envelope.md.
//
// Open() reads and authenticates the header and the metadata record. Next() then yields the
// parts and their data in order, and finally kEnd — which it returns only after the final chunk,
// the padding and the absence of trailing data have all been verified. Every chunk is
// authenticated before its bytes are returned, but a stream can still be cut short: a caller
// must treat its output as incomplete until kEnd (write to an AtomicFile, commit on kEnd).
//
// Each way an envelope can be bad has its own error code: kBadMagic, kUnsupportedVersion,
// kMalformed, kNoMatchingKey, kHeaderMacMismatch, kPayloadCorrupt, kTruncated, kTrailingData.
// Memory is constant: one chunk, plus the metadata (≤ 1 MiB).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/io.h"
#include "common/result.h"
#include "crypto/envelope_writer.h"
#include "crypto/keys.h"

namespace sealdrop {

class SealedEnvelopeReader {
 public:
  struct Event {
    enum class Kind { kPartBegin, kData, kEnd } kind;
    PartInfo part;                        // kPartBegin
    std::span<const std::uint8_t> data;   // kData; valid until the next call
  };

  // `keys`: X25519 key pairs to try (a force may have several during rotation).
  // `source` must outlive the reader.
  static Result<SealedEnvelopeReader> Open(ByteSource& source, std::span<const KeyPair> keys);

  SealedEnvelopeReader(SealedEnvelopeReader&&) noexcept;
  SealedEnvelopeReader& operator=(SealedEnvelopeReader&&) noexcept;
  ~SealedEnvelopeReader();

  // The metadata JSON object, as the sender wrote it. Secret: never log it.
  std::string_view metadata() const;
  // Index into `keys` of the key that opened the envelope.
  std::size_t key_index() const;

  Result<Event> Next();

 private:
  struct State;
  explicit SealedEnvelopeReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Convenience for small envelopes: reads everything; parts' data concatenated per part.
struct OpenedEnvelope {
  std::string metadata;
  std::vector<PartInfo> parts;
  std::vector<std::string> contents;
};
Result<OpenedEnvelope> OpenFromBytes(std::span<const std::uint8_t> sealed,
                                     std::span<const KeyPair> keys);

}  // namespace sealdrop
