// Plaintext held in memory for a moment (a safe copy on its way into a case archive, the archive
// the web face sends): a ByteSink whose every block is zeroed when it is freed or outgrown
// (crypto/wiping_memory.h), with a cap so that untrusted input cannot exhaust memory.
#pragma once

#include <cstdint>

#include "common/io.h"
#include "crypto/wiping_memory.h"

namespace sealdrop::console {

class WipingMemorySink final : public ByteSink {
 public:
  explicit WipingMemorySink(std::uint64_t max_bytes) : max_(max_bytes) {}
  // kLimitExceeded past max_bytes (nothing of that write is kept).
  Status Write(std::span<const std::uint8_t> bytes) override {
    if (bytes.size() > max_ - bytes_.size())
      return MakeError(ErrorCode::kLimitExceeded, "too big to hold in memory");
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return Status::Ok();
  }
  const WipingBytes& bytes() const { return bytes_; }
  WipingBytes& bytes() { return bytes_; }

 private:
  std::uint64_t max_;
  WipingBytes bytes_;
};

}  // namespace sealdrop::console
