// A police force's code in the signed directory and every format that names a force: 2 to 12
// characters, an upper-case letter then upper-case letters and digits (e.g. MET, WMI, NATIONAL).
#pragma once

#include <string_view>

namespace sealdrop {

bool IsValidForceCode(std::string_view code);

}  // namespace sealdrop
