// SealedEnvelopeWriter: seals a stream to one or more X25519 recipients while it is produced.
// Spec: docs/envelope.md. Memory is constant (one 64 KiB chunk) whatever the content size.
//
// Usage:
//   auto w = SealedEnvelopeWriter::Begin(sink, recipients, metadata_json);
//   w->BeginPart({"photo.jpg", "image/jpeg"}); w->Write(bytes) ...; w->Finish();
//
// Nothing written to `sink` is meaningful until Finish() succeeds: callers that persist the
// output must discard it on any error (see AtomicFile). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/io.h"
#include "common/result.h"
#include "crypto/keys.h"

namespace sealdrop {

struct PartInfo {
  std::string name;          // a file name as the sender gave it (untrusted when read back)
  std::string content_type;  // a media type, may be empty
};

class SealedEnvelopeWriter {
 public:
  // Writes the header. `recipients` must be 1..16 X25519 public keys (force decryption or
  // source keys); `metadata_json` must be a JSON object of at most 1 MiB.
  // `sink` must outlive the writer.
  static Result<SealedEnvelopeWriter> Begin(ByteSink& sink, std::span<const PublicKey> recipients,
                                            std::string_view metadata_json);

  SealedEnvelopeWriter(SealedEnvelopeWriter&&) noexcept;
  SealedEnvelopeWriter& operator=(SealedEnvelopeWriter&&) noexcept;
  ~SealedEnvelopeWriter();

  // Starts a new attached part (file). Parts follow each other; each Write() adds to the last.
  Status BeginPart(const PartInfo& part);
  // Appends bytes to the current part. REQUIRES: BeginPart() was called.
  Status Write(std::span<const std::uint8_t> bytes);
  // Ends the content, pads, writes the final chunk. The writer is unusable afterwards.
  Status Finish();

  // Bytes of records written so far (before padding); for limits, never for logs.
  std::uint64_t logical_bytes() const;

 private:
  struct State;
  explicit SealedEnvelopeWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Convenience: seals `content` as one part into a byte vector (small messages, tests).
Result<std::vector<std::uint8_t>> SealToBytes(std::span<const PublicKey> recipients,
                                              std::string_view metadata_json,
                                              const PartInfo& part,
                                              std::span<const std::uint8_t> content);

}  // namespace sealdrop
