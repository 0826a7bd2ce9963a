// libFuzzer target: the sealed envelope reader (crypto/envelope_reader). Two modes, chosen by
// the first byte: the input as a whole envelope (header parsing, recipient stanzas, MAC and
// chunk checks), or the input as the *plaintext* record stream of an otherwise valid envelope
// (sealed here with tests/support/raw_seal), so that the record layer behind the AEAD — the
// metadata record, part records, padding and the end record — is reached too.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/envelope_reader.h"
#include "crypto/keys.h"
#include "tests/support/raw_seal.h"

namespace {

const sealdrop::KeyPair& Key() {
  static const sealdrop::KeyPair key = sealdrop::GenerateKeyPair(sealdrop::KeyRole::kForceDecryption);
  return key;
}

void ReadAll(std::span<const std::uint8_t> sealed) {
  sealdrop::MemorySource source(sealed);
  auto reader = sealdrop::SealedEnvelopeReader::Open(source, std::span(&Key(), 1));
  if (!reader) return;
  for (int i = 0; i < 1 << 20; ++i) {
    auto event = reader->Next();
    if (!event || event->kind == sealdrop::SealedEnvelopeReader::Event::Kind::kEnd) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) {
    std::vector<std::uint8_t> plain(data + 1, data + size);
    ReadAll(sealdrop::testing::RawSeal(Key().public_key, std::move(plain)));
  } else {
    ReadAll(std::span(data + 1, size - 1));
  }
  return 0;
}
