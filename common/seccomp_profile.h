/* seccomp_profile.h — a bundle's own seccomp filter (linux.seccomp). (day 10)
 *
 * syscalls.h is tdg's filter, written in C. An OCI bundle may bring its
 * own instead, as JSON: Docker and podman write their default profile
 * there (an allowlist of about 350 calls), and `--security-opt
 * seccomp=FILE` puts a user's. The runtime turns it into the same kind of
 * BPF program, through the same library:
 *
 *   {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
 *    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
 *    "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
 *                 {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
 *                  "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}
 *
 * The names are libseccomp's own (SCMP_ACT_*, SCMP_ARCH_*, SCMP_CMP_*),
 * which is why every runtime reads them the same way. A call this
 * libseccomp does not know is skipped (a profile names calls of newer
 * kernels); anything else tdg cannot honour (SCMP_ACT_NOTIFY, flags) is an
 * error naming the field. */
#ifndef TDG_SECCOMP_PROFILE_H
#define TDG_SECCOMP_PROFILE_H

#include <jansson.h>
#include <stdbool.h>

/* Build the filter PROFILE describes and, if LOAD, load it into this
 * process (no_new_privs set already, as for syscalls_filter()). Without
 * LOAD it only checks the profile (create does, before anything is made).
 * 0, or -1 with the failure recorded ("linux.seccomp.syscalls[3].action
 * ...", fail.h). */
int seccomp_profile(json_t *profile, bool load);

#endif
