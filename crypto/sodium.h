// One place that initialises libsodium. Every entry point of the crypto library calls
// EnsureSodium() first; it is cheap after the first call and thread-safe (sodium_init is).
#pragma once

namespace sealdrop {

// Aborts if libsodium cannot initialise (no entropy source): nothing safe can happen then.
void EnsureSodium();

}  // namespace sealdrop
