// The UK police forces SealDrop serves: the 43 territorial forces of England and Wales, Police
// Scotland, PSNI, the three national special forces, and NATIONAL (national triage for
// "I don't know which force"). `directory build` turns this list plus key files into the body
// of a force directory (docs/directory.md).
#pragma once

#include <span>
#include <string_view>

namespace sealdrop::console {

struct UkForce {
  std::string_view code;
  std::string_view name;
};

std::span<const UkForce> UkForces();

}  // namespace sealdrop::console
