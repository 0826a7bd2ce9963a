// libFuzzer target: the age v1 passphrase reader (crypto/age), which checks a sealed case archive
// (docs/console.md §7.4). The passphrase is the test vectors' and the work factor is capped at
// theirs (2^10), so inputs derived from tests/vectors/age get past scrypt and the header MAC into
// the payload's STREAM; a larger factor in an input is refused (kLimitExceeded) before any work.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/io.h"
#include "crypto/age/age_passphrase.h"
#include "crypto/secret_buffer.h"

namespace {

class NullSink final : public sealdrop::ByteSink {
 public:
  sealdrop::Status Write(std::span<const std::uint8_t>) override { return sealdrop::Status::Ok(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sealdrop::SecretBuffer passphrase =
      sealdrop::SecretBuffer::CopyOf(std::string_view("correct horse battery staple"));
  sealdrop::MemorySource in(std::span(data, size));
  NullSink out;
  (void)sealdrop::OpenAgePassphrase(in, passphrase, out, /*max_log2_work=*/10);
  return 0;
}
