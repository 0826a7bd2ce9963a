#include "crypto/sodium.h"

#include <sodium.h>

#include "common/result.h"

namespace sealdrop {

void EnsureSodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) Die("sodium_init failed");
}

}  // namespace sealdrop
