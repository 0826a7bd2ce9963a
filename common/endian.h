// Little-endian integers, the byte order of every SealDrop format that stores integers (the
// envelope's record lengths, the bundle trailer, secret key file parameters). The one codec;
// nothing else shifts bytes into integers.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

namespace sealdrop {

// Writes `v` into p[0..sizeof(T)), least significant byte first.
template <std::unsigned_integral T>
constexpr void StoreLittleEndian(std::uint8_t* p, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Reads a T from p[0..sizeof(T)), least significant byte first.
template <std::unsigned_integral T>
constexpr T LoadLittleEndian(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>(v | (T{p[i]} << (8 * i)));
  return v;
}

}  // namespace sealdrop
