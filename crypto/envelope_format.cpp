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
