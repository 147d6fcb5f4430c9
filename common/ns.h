/* ns.h — starting a process in new namespaces.                      (day 02)
 *
 * A namespace is the kernel giving one group of processes its own copy of
 * a global resource: UTS (the hostname), PID (process numbers: the first
 * process is PID 1), mount (the mount table), IPC (System V queues and
 * shared memory). clone(2) creates the process and its namespaces in one
 * step; C can hand clone a function to run, where Go's runtime (threads
 * everywhere) forces the seeds to re-exec /proc/self/exe instead. */
#ifndef TDG_NS_H
#define TDG_NS_H

#include <stdbool.h>
#include <sys/types.h>

/* The namespaces every container gets from day 02 on. */
#define TDG_NAMESPACES (CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC)

/* Run FN(ARG) in a child created with clone(FLAGS | SIGCHLD). Returns the
 * child's pid as the host sees it, or -1 with errno if the kernel refuses
 * (EPERM: not root), recorded as "clone: <why>; tdg needs root and a
 * kernel with namespaces". */
pid_t ns_clone(int (*fn)(void *), void *arg, int flags);

/* RFC 1123 host name, as sethostname(2) takes it (at most 64 bytes): dot-
 * separated labels of letters, digits and '-', no label empty or starting
 * or ending with '-'. */
bool ns_hostname_valid(const char *name);

/* Inside the child (these return 0, or -1 with the failure recorded):
 * stop mount events from travelling between the host and
 * the container. systemd makes / "shared", so without this every mount the
 * container makes (its /proc!) would appear on the host too. */
int ns_private_mounts(void);

/* Inside the child: mount a fresh procfs on TARGET. /proc shows the PID
 * namespace of whoever mounts it, so this is what makes `ps` and `echo $$`
 * see the container's own numbering. */
int ns_mount_proc(const char *target);

/* (day 10) Join the namespaces of the process behind PIDFD (ipc, uts,
 * net, pid, mount: `tdg exec`) in one setns(2) call. The mount namespace
 * also moves our root and working directory to the container's; the PID
 * namespace applies to the children we fork afterwards. -1 with errno. */
int ns_enter(int pidfd);

#endif
