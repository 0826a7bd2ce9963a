#include "server/sandbox/core_dumps.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sealdrop::server::sandbox {

Status DisableCoreDumps() {
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return MakeError(ErrorCode::kIo, std::string("cannot turn core dumps off: ") + std::strerror(errno));
  }
  // A core_pattern that pipes to a handler may ignore RLIMIT_CORE; a non-dumpable process is
  // never dumped at all.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return MakeError(ErrorCode::kIo,
                     std::string("cannot make the process non-dumpable: ") + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace sealdrop::server::sandbox
