/* oci.h — day 10 as an OCI runtime, for podman and containerd.      (day 10)
 *
 * `tdg create/start/state/kill/delete/exec` (+ `--version`, `features`), called
 * the way conmon and containerd's runc shim call runc: a bundle folder
 * (config.json and a root filesystem, oci_spec.h) in, a container process
 * out, waiting between `create` and `start` on a named pipe, exec.fifo, in
 * its state folder. See docs/day-by-day/day10-oci.md. */
#ifndef TDG_OCI_H
#define TDG_OCI_H
#include <stdbool.h>

/* Is this command line one of the OCI runtime's (a global flag such as
 * --root, create/start/state/kill/delete/features, or exec with conmon's
 * long flags: --process, --pid-file, ...)? */
bool oci_wants(int argc, char **argv);
/* Run it; returns the exit status. */
int oci_main(int argc, char **argv);
#endif
