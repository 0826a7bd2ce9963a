#include "crypto/secret_buffer.h"

#include <sodium.h>

#include <cstring>
#include <utility>

#include "common/result.h"
#include "crypto/sodium.h"

namespace sealdrop {

SecretBuffer::SecretBuffer(std::size_t size) : size_(size) {
  EnsureSodium();
  if (size == 0) return;
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) Die("sodium_malloc failed");
  sodium_memzero(data_, size);
}

SecretBuffer SecretBuffer::CopyOf(std::span<const std::uint8_t> bytes) {
  SecretBuffer out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

SecretBuffer SecretBuffer::CopyOf(std::string_view text) {
  return CopyOf(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

SecretBuffer::~SecretBuffer() {
  if (data_ != nullptr) sodium_free(data_);  // wipes before freeing
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

bool SecretBuffer::Equals(const SecretBuffer& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

}  // namespace sealdrop
