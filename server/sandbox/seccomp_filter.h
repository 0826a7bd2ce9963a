// System-call allow-lists (seccomp-bpf, built with Debian's libseccomp), the last step of
// start-up: once the listeners are bound, the data directory is open and the derivation helpers
// are forked, sealdrop-server needs only a few dozen calls to serve, and a compromised parser
// should get no more. A call outside the list kills the whole process with SIGSYS
// (SCMP_ACT_KILL_PROCESS): a refusal it could retry or hide would only blur the evidence; the
// kernel's audit log records the number of the call, nothing of the request.
//
// What each profile allows, and why, is the table in seccomp_filter.cpp and docs/server.md
// "System-call filter". In short: no execve, no fork (only new threads), no socket, bind,
// connect or listen (accept makes the only new sockets), no executable memory, no ptrace, mount,
// kexec, bpf, keyctl, module loading, namespaces or signals to other processes.
//
// Builds with AddressSanitizer (SEALDROP_SANITIZED) add the calls its runtime needs to report
// errors and leaks (LeakSanitizer's tracer uses clone and ptrace); execve and socket stay
// forbidden there too, and the helper still may not open a file.
#pragma once

#include "common/result.h"

// Defined in builds with AddressSanitizer (the asan preset), whose runtime needs more calls.
#if defined(__SANITIZE_ADDRESS__)
#define SEALDROP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SEALDROP_SANITIZED 1
#endif
#endif

namespace sealdrop::server::sandbox {

enum class SyscallProfile {
  kNetworkServer,     // sealdrop-server after start-up: its listeners, store, pools and helpers
  kDerivationHelper,  // a codename derivation helper (server/kdf/kdf_helpers.h): memory and its socket
};

const char* SyscallProfileName(SyscallProfile profile);

// Installs `profile` on every thread of the calling process (TSYNC) and on every thread or
// process it starts later; sets no_new_privs. Irreversible. Errors: the kernel refused the
// filter (no seccomp support, or a thread already filtered differently), or a call named in the
// table is unknown to libseccomp.
[[nodiscard]] Status InstallSyscallFilter(SyscallProfile profile);

}  // namespace sealdrop::server::sandbox
