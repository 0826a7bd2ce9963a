// age v1 files sealed with a passphrase (one scrypt recipient stanza), so that an investigator
// opens a case archive with Debian's `age -d` (https://age-encryption.org/v1; our profile is
// docs/console.md §7.4). Built on libsodium alone:
//   file key   16 random bytes
//   stanza     "-> scrypt SALT LOG2N", body = ChaCha20-Poly1305(scrypt(passphrase,
//              "age-encryption.org/v1/scrypt" || SALT, N=2^LOG2N, r=8, p=1), zero nonce, file key)
//   header MAC HMAC-SHA256(HKDF-SHA256(file key, "", "header"), header up to and including "---")
//   payload    16-byte nonce, then STREAM: ChaCha20-Poly1305 with HKDF-SHA256(file key, nonce,
//              "payload") over 64 KiB chunks, nonce = 11-byte big-endian counter || last flag
//
// AgePassphraseWriter streams: constant memory (one chunk), the header written at Create. Its
// output is complete only after Finish(); write it into an AtomicFile and commit after Finish.
// OpenAgePassphrase reads one back (tests, and any tool that must check an archive), with age's
// strictness: canonical base64, the scrypt stanza alone, the header MAC checked before any
// payload, a last chunk that is empty only when it is the first, no truncation, no trailing data.
// Errors: kBadMagic, kMalformed, kNoMatchingKey (not a passphrase file), kLimitExceeded (work
// factor over the cap), kWrongPassphrase, kHeaderMacMismatch, kPayloadCorrupt (bytes after a
// full last chunk fail here too, as in age), kTruncated; kIo from the source or sink.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/io.h"
#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop {

inline constexpr unsigned kAgeDefaultLog2Work = 18;  // age's own default: about 1 s, 256 MiB
inline constexpr unsigned kAgeMaxLog2Work = 22;      // age -d's cap; ours when reading
inline constexpr std::size_t kAgeChunkBytes = 64 * 1024;

// Fixed randomness, for test vectors only (tests/vectors/age). Production passes nullptr.
struct AgeFixedRandom {
  std::array<std::uint8_t, 16> file_key{};
  std::array<std::uint8_t, 16> salt{};
  std::array<std::uint8_t, 16> nonce{};
};

class AgePassphraseWriter final : public ByteSink {
 public:
  // Derives the wrapping key (scrypt at 2^log2_work: slow by design) and writes the header and
  // the payload nonce to `out`, which must outlive the writer. kInvalidArgument for an empty
  // passphrase or a work factor outside 1..kAgeMaxLog2Work.
  static Result<AgePassphraseWriter> Create(const SecretBuffer& passphrase, ByteSink& out,
                                            unsigned log2_work = kAgeDefaultLog2Work,
                                            const AgeFixedRandom* fixed = nullptr);
  AgePassphraseWriter(AgePassphraseWriter&&) noexcept = default;
  AgePassphraseWriter& operator=(AgePassphraseWriter&&) = delete;
  ~AgePassphraseWriter() override = default;

  Status Write(std::span<const std::uint8_t> bytes) override;
  // Seals the last chunk. Call once; nothing may be written after.
  Status Finish();

 private:
  AgePassphraseWriter(ByteSink& out, SecretBuffer key)
      : out_(&out), key_(std::move(key)), chunk_(kAgeChunkBytes) {}
  Status SealChunk(bool last);
  ByteSink* out_;
  SecretBuffer key_;    // the payload key
  SecretBuffer chunk_;  // plaintext waiting to be sealed
  std::size_t filled_ = 0;
  std::uint64_t counter_ = 0;
  bool finished_ = false;
};

// Decrypts a whole age passphrase file from `in` into `out`. `out` receives authenticated chunks
// as they come: treat it as incomplete unless this returns ok (AtomicFile, commit on ok).
Status OpenAgePassphrase(ByteSource& in, const SecretBuffer& passphrase, ByteSink& out,
                         unsigned max_log2_work = kAgeMaxLog2Work);

}  // namespace sealdrop
