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

/* Unpack SOURCE, a tar file (plain, gzip, xz, zstd or bzip2) or an
 * http(s):// URL fetched first with the host's curl or wget, into
 * $TDG_ROOT/rootfs/NAME, and say so on stdout. NAME is a simple name
 * (id_name_valid()) that must not exist yet. Returns 0, or -1 with the
 * failure recorded (fail.h), leaving nothing behind. A SIGINT, SIGTERM or
 * SIGHUP meanwhile stops it (and its download) with a failure; the
 * handlers are put back before it returns. `run --rootfs NAME` finds the
 * result with rootfs_find() (rootfs.h). */
int import_rootfs(const char *source, const char *name);

/* Remove the tree DIR depth first, never following a symlink nor leaving
 * its filesystem (an unpacked archive's symlinks may name host paths). */
void import_remove_tree(const char *dir);

struct whiteouts;
/* (day 10, images) Unpack the tar archive open on FD into the folder DIR
 * with the same refusals as import_rootfs(); LABEL names it in messages.
 * With WH (an image layer, whiteout.h) ".wh." entries become overlayfs
 * whiteouts instead of files. Returns the number of entries, or -1 with
 * the failure recorded; what was written stays for the caller to remove. */
long import_unpack_at(int fd, const char *label, const char *dir, struct whiteouts *wh);

#endif
