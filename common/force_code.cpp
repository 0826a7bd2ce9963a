#include "common/force_code.h"

namespace sealdrop {

bool IsValidForceCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 12) return false;
  if (code[0] < 'A' || code[0] > 'Z') return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace sealdrop
