// Envelope writer/reader throughput in memory (no disk), next to raw crypto_secretstream on the
// same data in the same run, so the ratio shows what framing and padding cost.
//   build/release/bench/envelope_throughput [MiB]
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"

using namespace sealdrop;
using Clock = std::chrono::steady_clock;

namespace {

class NullSink : public ByteSink {
 public:
  Status Write(std::span<const std::uint8_t> b) override {
    bytes += b.size();
    return Status::Ok();
  }
  std::uint64_t bytes = 0;
};

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  std::vector<std::uint8_t> block(1 << 16);
  randombytes_buf(block.data(), block.size());
  const std::size_t blocks = mib * 16;

  // Raw secretstream: the floor for any chunked AEAD over this data.
  std::uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  crypto_secretstream_xchacha20poly1305_state st;
  std::uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
  std::vector<std::uint8_t> out(block.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
  auto t0 = Clock::now();
  for (std::size_t i = 0; i < blocks; ++i) {
    crypto_secretstream_xchacha20poly1305_push(&st, out.data(), nullptr, block.data(),
                                               block.size(), nullptr, 0, 0);
  }
  auto t1 = Clock::now();
  const double raw = static_cast<double>(mib) / Seconds(t0, t1);

  const KeyPair recipient = GenerateKeyPair(KeyRole::kForceDecryption);
  auto seal_into = [&](ByteSink& sink) {
    auto w = SealedEnvelopeWriter::Begin(sink, std::span(&recipient.public_key, 1),
                                         R"({"kind":"bench"})");
    if (!w.ok() || !w->BeginPart({"bench.bin", ""}).ok()) return false;
    for (std::size_t i = 0; i < blocks; ++i) {
      if (!w->Write(block).ok()) return false;
    }
    return w->Finish().ok();
  };
  NullSink null_sink;
  t0 = Clock::now();
  if (!seal_into(null_sink)) return 1;
  t1 = Clock::now();
  const double seal = static_cast<double>(mib) / Seconds(t0, t1);
  MemorySink sealed;  // for the open measurement
  if (!seal_into(sealed)) return 1;

  std::vector<KeyPair> keys;
  keys.push_back(KeyPairFromSecret(KeyRole::kForceDecryption,
                                   SecretBuffer::CopyOf(recipient.secret.span())));
  MemorySource source(sealed.bytes());
  std::uint64_t opened = 0;
  t0 = Clock::now();
  auto r = SealedEnvelopeReader::Open(source, keys);
  if (!r.ok()) return 1;
  for (;;) {
    auto ev = r->Next();
    if (!ev.ok()) return 1;
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kEnd) break;
    opened += ev->data.size();
  }
  t1 = Clock::now();
  const double open = static_cast<double>(mib) / Seconds(t0, t1);
  if (opened != static_cast<std::uint64_t>(mib) << 20) return 1;

  std::printf("content                %zu MiB\n", mib);
  std::printf("raw secretstream push  %8.0f MiB/s\n", raw);
  std::printf("envelope seal          %8.0f MiB/s  (%.2fx raw)\n", seal, seal / raw);
  std::printf("envelope open          %8.0f MiB/s  (%.2fx raw)\n", open, open / raw);
  std::printf("size overhead          %.2f%%\n",
              100.0 * (static_cast<double>(sealed.bytes().size()) / (static_cast<double>(mib) * 1048576.0) - 1.0));
  return 0;
}
