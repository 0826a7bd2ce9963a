// A system-call deny-list for the converters in the bubblewrap sandbox (sandbox.h), given to
// bubblewrap as a compiled BPF program (--seccomp FD) and applied just before the converter runs.
//
// The converters are whole programs (poppler, netpbm, Python for mat2), so an allow-list would be
// brittle; instead the calls a file-to-pixels converter never needs and kernel exploits like are
// refused with EPERM: namespaces and mounts (no nesting out of the sandbox), sockets other than
// AF_UNIX (netlink, packet, AF_ALG ...), ptrace and other processes' memory, keyrings, BPF,
// perf, userfaultfd, io_uring, kernel modules, kexec, reboot, swap, clock and host changes.
// clone3 answers ENOSYS so that libc falls back to clone, whose namespace flags can be checked.
// Other architectures' system calls (i386, x32) kill the process. Needs libseccomp.
#pragma once

#include "common/result.h"

namespace sealdrop::console {

// A memfd holding the BPF program, positioned at its start; the caller closes it.
Result<int> ConverterSeccompProgram();

}  // namespace sealdrop::console
