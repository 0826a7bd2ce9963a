// What the fuzz targets share: the committed test-vector directory (tests/vectors/directory),
// verified once, and the fixed "now" the targets use so that outcomes depend on the input alone.
#pragma once

#include <cstdint>

#include "crypto/directory.h"

namespace sealdrop::fuzz {

inline constexpr char kToday[] = "2027-01-15";           // inside the vector's validity
inline constexpr std::int64_t kNow = 1800014400;          // 2027-01-15T12:00:00Z

// The vector directory (one force, MET), verified against the vector root on kToday.
const ForceDirectory& VectorDirectory();

}  // namespace sealdrop::fuzz
