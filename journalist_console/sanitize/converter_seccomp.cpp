#include "journalist_console/sanitize/converter_seccomp.h"

#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sealdrop::console {
namespace {

constexpr const char* kDenied[] = {
    // Namespaces and mounts: the sandbox's shape is final.
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    // Other processes and the kernel's rarer surfaces.
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "name_to_handle_at",
    "open_by_handle_at", "lookup_dcookie", "quotactl", "fanotify_init", "modify_ldt", "uselib",
    // The machine itself.
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "acct", "syslog", "settimeofday", "clock_settime", "clock_adjtime",
    "adjtimex", "sethostname", "setdomainname", "vhangup", "iopl", "ioperm",
};

}  // namespace

Result<int> ConverterSeccompProgram() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return MakeError(ErrorCode::kIo, "seccomp: cannot start a filter");
  const auto fail = [&](const char* what) {
    seccomp_release(ctx);
    return MakeError(ErrorCode::kIo, std::string("seccomp: ") + what);
  };
  for (const char* name : kDenied) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this kernel's architecture
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0) return fail(name);
  }
  // A new process or thread, but never in a new namespace (rules for one call are OR'ed).
  for (const int bit : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC,
                        CLONE_NEWUTS, CLONE_NEWCGROUP}) {
    const auto flag = static_cast<scmp_datum_t>(static_cast<unsigned>(bit));
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)) != 0) {
      return fail("clone");
    }
  }
  // clone3's flags sit in memory a filter cannot read: "not implemented" makes libc use clone.
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0) return fail("clone3");
  for (const int call : {SCMP_SYS(socket), SCMP_SYS(socketpair)}) {
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), call, 1,
                         SCMP_A0(SCMP_CMP_NE, static_cast<scmp_datum_t>(AF_UNIX))) != 0) {
      return fail("socket");
    }
  }
  const int fd = ::memfd_create("sealdrop-converter-seccomp", MFD_CLOEXEC);
  if (fd < 0) return fail("memfd_create");
  if (seccomp_export_bpf(ctx, fd) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
    ::close(fd);
    return fail("cannot compile the filter");
  }
  seccomp_release(ctx);
  return fd;
}

}  // namespace sealdrop::console
