/* import.h — a rootfs from an archive: `tdg import`.                 (day 10)
 *
 * A rootfs is usually shipped as a tarball: the Alpine minirootfs, or what
 * `docker export` writes. Unpacking one is the classic place for a
 * runtime to be tricked: an entry named "../../etc/cron.d/x", or "/etc/x",
 * or a symlink "lib -> /etc" followed by an entry "lib/x" writes on the
 * host, as root, wherever the archive's author likes. tdg leaves tar
 * parsing to libarchive and asks it to refuse all three; a refused entry
 * fails the whole import. The tree is unpacked into a hidden temporary
 * folder and renamed into place only when complete, so NAME is either
 * absent or a whole rootfs, never half of one. */
#ifndef TDG_IMPORT_H
#define TDG_IMPORT_H

#include <stddef.h>

/* Unpack SOURCE, a tar file (plain, gzip, xz, zstd or bzip2) or an
 * http(s):// URL fetched first with the host's curl or wget, into
 * $TDG_ROOT/rootfs/NAME, and say so on stdout. NAME is a simple name
 * (id_name_valid()) that must not exist yet. Dies (125) on any failure,
 * leaving nothing behind. */
void import_rootfs(const char *source, const char *name);

/* For `run --rootfs ARG`: the folder ARG means, into OUT. ARG itself if it
 * has a slash or is a folder here; else the imported $TDG_ROOT/rootfs/ARG
 * if there is one; else ARG if something of that name is here (for
 * rootfs_check() to say what is wrong with it). Returns -1 with a reason
 * in WHY (naming both places and `tdg import`) if neither exists. */
int import_find_rootfs(const char *arg, char *out, size_t size, char *why,
		       size_t why_size);

#endif
