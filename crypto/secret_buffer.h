// SecretBuffer: fixed-size memory for key material and plaintext secrets.
//
// Allocated with sodium_malloc (guard pages, mlock'd where the OS allows, so never swapped) and
// wiped with sodium_free on destruction. Movable, never copyable. Compare with Equals(), which is
// constant time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sealdrop {

class SecretBuffer {
 public:
  SecretBuffer() = default;
  // Zero-filled buffer of `size` bytes. Aborts when the allocation fails.
  explicit SecretBuffer(std::size_t size);
  // A copy of `bytes` in secure memory.
  static SecretBuffer CopyOf(std::span<const std::uint8_t> bytes);
  static SecretBuffer CopyOf(std::string_view text);

  ~SecretBuffer();
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<std::uint8_t> span() { return {data_, size_}; }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }

  // Constant-time comparison (sizes are compared first; sizes are not secret).
  bool Equals(const SecretBuffer& other) const;

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sealdrop
