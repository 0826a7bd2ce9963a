#include "tests/support/raw_seal.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/envelope_format.h"

namespace sealdrop::testing {

std::vector<std::uint8_t> RawSeal(const PublicKey& to, std::vector<std::uint8_t> plain) {
  using namespace envelope;
  std::vector<std::uint8_t> out(kMagic.begin(), kMagic.end());
  out.push_back(kVersion);
  out.push_back(1);
  std::uint8_t file_key[kFileKeyBytes], mac_key[32], payload_key[32], mac[32], ss_header[24];
  std::uint8_t stanza[kStanzaBytes];
  randombytes_buf(file_key, sizeof file_key);
  crypto_box_seal(stanza, file_key, sizeof file_key, to.bytes.data());
  out.insert(out.end(), stanza, stanza + kStanzaBytes);
  crypto_kdf_derive_from_key(mac_key, 32, kMacKeyId, kMacKeyContext, file_key);
  crypto_kdf_derive_from_key(payload_key, 32, kPayloadKeyId, kPayloadKeyContext, file_key);
  crypto_auth_hmacsha512256(mac, out.data(), out.size(), mac_key);
  out.insert(out.end(), mac, mac + 32);
  crypto_secretstream_xchacha20poly1305_state st;
  crypto_secretstream_xchacha20poly1305_init_push(&st, ss_header, payload_key);
  out.insert(out.end(), ss_header, ss_header + 24);
  const std::size_t chunks = std::max<std::size_t>((plain.size() + kChunkBytes - 1) / kChunkBytes,
                                                   kFloorBytes / kChunkBytes);
  plain.resize(chunks * kChunkBytes, 0);
  for (std::size_t at = 0; at < plain.size(); at += kChunkBytes) {
    std::uint8_t c[kSealedChunkBytes];
    const bool last = at + kChunkBytes >= plain.size();
    crypto_secretstream_xchacha20poly1305_push(
        &st, c, nullptr, plain.data() + at, kChunkBytes, nullptr, 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
             : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    out.insert(out.end(), c, c + kSealedChunkBytes);
  }
  return out;
}

}  // namespace sealdrop::testing
