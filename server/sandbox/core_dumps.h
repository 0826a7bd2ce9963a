// Core dumps off for the server and its derivation helpers: a dump would write whatever was in
// memory at the crash (a source key of a logged-in session, a helper's instance secret, a report
// being sealed) to a file the operator's crash handler keeps. Called first thing in main, so the
// helpers inherit it when they are forked.
#pragma once

#include "common/result.h"

namespace sealdrop::server::sandbox {

// RLIMIT_CORE 0 (soft and hard) and PR_SET_DUMPABLE 0: no core file, even through a
// core_pattern pipe, and no ptrace attach or /proc/PID/mem by another process of the same user.
[[nodiscard]] Status DisableCoreDumps();

}  // namespace sealdrop::server::sandbox
