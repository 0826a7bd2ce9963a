#include "crypto/envelope_format.h"

#include <algorithm>
#include <bit>

namespace sealdrop::envelope {

std::uint64_t Padme(std::uint64_t len) {
  if (len < 2) return len;
  const auto e = static_cast<std::uint64_t>(std::bit_width(len) - 1);  // floor(log2 len)
  const auto s = static_cast<std::uint64_t>(std::bit_width(e));        // floor(log2 e) + 1
  const std::uint64_t last_bits = e - s;
  const std::uint64_t mask = (std::uint64_t{1} << last_bits) - 1;
  return (len + mask) & ~mask;
}

std::uint64_t PaddedStreamBytes(std::uint64_t logical_len) {
  const std::uint64_t padded = std::max(Padme(logical_len), kFloorBytes);
  return (padded + kChunkBytes - 1) / kChunkBytes * kChunkBytes;
}

std::uint64_t SealedSize(std::uint64_t padded_len, std::size_t recipients) {
  return kPreambleBytes + recipients * kStanzaBytes + kHeaderMacBytes + kStreamHeaderBytes +
         padded_len / kChunkBytes * kSealedChunkBytes;
}

}  // namespace sealdrop::envelope

namespace sealdrop::envelope {
bool HasEnvelopeShape(std::span<const std::uint8_t> preamble, std::uint64_t total_size) {
  if (preamble.size() < kPreambleBytes) return false;
  if (std::string_view(reinterpret_cast<const char*>(preamble.data()), kMagic.size()) != kMagic) {
    return false;
  }
  if (preamble[8] != kVersion) return false;
  const std::size_t n = preamble[9];
  if (n < 1 || n > kMaxRecipients) return false;
  const std::uint64_t header = kPreambleBytes + n * kStanzaBytes + kHeaderMacBytes +
                               kStreamHeaderBytes;
  if (total_size < header + 2 * kSealedChunkBytes) return false;
  return (total_size - header) % kSealedChunkBytes == 0;
}
}  // namespace sealdrop::envelope
