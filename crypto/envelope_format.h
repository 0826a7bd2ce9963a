// Sealed envelope v1: constants and the padding rule. Spec: docs/envelope.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sealdrop::envelope {

inline constexpr std::string_view kMagic = "SEALDROP";  // 8 bytes
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kPreambleBytes = 10;        // magic, version, recipient count
inline constexpr std::size_t kMaxRecipients = 16;
inline constexpr std::size_t kFileKeyBytes = 32;
inline constexpr std::size_t kStanzaBytes = 80;          // crypto_box_seal of the file key
inline constexpr std::size_t kHeaderMacBytes = 32;       // HMAC-SHA-512-256
inline constexpr std::size_t kStreamHeaderBytes = 24;    // secretstream header
inline constexpr std::size_t kChunkBytes = 65536;        // plaintext per chunk
inline constexpr std::size_t kChunkOverheadBytes = 17;   // secretstream ABYTES
inline constexpr std::size_t kSealedChunkBytes = kChunkBytes + kChunkOverheadBytes;
inline constexpr std::uint64_t kFloorBytes = 2 * kChunkBytes;  // smallest padded stream
inline constexpr std::uint64_t kMaxContentBytes = std::uint64_t{1} << 48;

// Subkeys of the file key (crypto_kdf, BLAKE2b).
inline constexpr char kMacKeyContext[] = "SDenvhdr";
inline constexpr std::uint64_t kMacKeyId = 1;
inline constexpr char kPayloadKeyContext[] = "SDenvpay";
inline constexpr std::uint64_t kPayloadKeyId = 2;

// Records of the plaintext stream: type (1 byte) then length (u32 little-endian) then data.
enum class RecordType : std::uint8_t { kMeta = 1, kPart = 2, kData = 3, kEnd = 4 };
inline constexpr std::size_t kRecordHeaderBytes = 5;
inline constexpr std::size_t kMaxMetaBytes = 1 << 20;
inline constexpr std::size_t kMaxPartHeaderBytes = 4096;
inline constexpr std::size_t kMaxDataRecordBytes = kChunkBytes;

// Padmé (Nikitin et al., PETS 2019): rounds len up so only O(log log len) bits remain.
std::uint64_t Padme(std::uint64_t len);
// Length of the padded plaintext stream for `logical_len` bytes of records:
// max(Padmé(logical_len), kFloorBytes) rounded up to a whole number of chunks.
std::uint64_t PaddedStreamBytes(std::uint64_t logical_len);
// Total envelope size on disk for a stream of `padded_len` and `recipients` stanzas.
std::uint64_t SealedSize(std::uint64_t padded_len, std::size_t recipients);

}  // namespace sealdrop::envelope

namespace sealdrop::envelope {
// The smallest envelope: one recipient, two chunks.
inline constexpr std::uint64_t kMinSealedBytes =
    kPreambleBytes + kStanzaBytes + kHeaderMacBytes + kStreamHeaderBytes + 2 * kSealedChunkBytes;
// True when `preamble` (the first kPreambleBytes bytes) and `total_size` have the layout of an
// envelope v1 (docs/envelope.md §3): magic, version, 1..16 recipients, and a size of exactly
// header + N ≥ 2 sealed chunks. Says nothing about authenticity: for a server that cannot open
// what it stores, it refuses garbage early.
bool HasEnvelopeShape(std::span<const std::uint8_t> preamble, std::uint64_t total_size);
}  // namespace sealdrop::envelope
