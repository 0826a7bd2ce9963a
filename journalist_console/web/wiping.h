// Plaintext an officer types (triage notes, replies, the passphrase) passes through the web face
// in memory that is wiped when it goes: an allocator that zeroes every block it frees
// (sodium_memzero), used for the request body, the read buffer and the parsed form fields.
// Values small enough for a string's inline storage are wiped by WipeString() at the end of
// each request. Fixed-size secrets (the passphrase once parsed) go into a SecretBuffer.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <memory>
#include <string>

namespace sealdrop::console::web {

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
  bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

using WipingString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// Zeroes the string's characters (inline storage included) and empties it.
template <class String>
void WipeString(String& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace sealdrop::console::web
