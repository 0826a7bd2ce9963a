// Plaintext held in ordinary containers for a moment (a request body, a form field, a safe copy on
// its way into a download or an archive): an allocator that zeroes every block it frees or
// outgrows (sodium_memzero), the containers built on it, and WipeString() for what a string keeps
// in its inline storage. Fixed-size secrets (keys, a parsed passphrase) go into a SecretBuffer.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sealdrop {

template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT: converting, as allocators are
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    sodium_memzero(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using WipingString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;
using WipingBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

// Zeroes the string's characters (inline storage included) and empties it.
template <class String>
void WipeString(String& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace sealdrop
