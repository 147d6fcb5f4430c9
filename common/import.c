/* import.c — see import.h.                                           (day 10) */
#include "import.h"
#include "fail.h"
#include "whiteout.h"
#include "id.h"
#include "rootfs.h"
#include "spawn.h"
#include "state.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What to undo if the import fails: the half-unpacked folder and the
 * downloaded file, both hidden (a leading dot) next to where NAME goes. */
struct job {
	char tmpdir[PATH_MAX];
	char download[PATH_MAX];
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
	/* Ctrl-C reaches curl as well (the terminal signals the whole
	 * process group), a kill(1) of tdg does not: pass it on. Here, not
	 * in a loop, or one arriving just before read() would be missed. */
	if (spawn_capture_child > 0)
		kill(spawn_capture_child, SIGTERM);
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		warn("import: remove %s: %m", path);
	return 0;
}

/* Depth first, never following a symlink nor crossing into another
 * filesystem: the tree holds the archive's symlinks, some pointing at
 * host paths ("/etc" means the host's /etc when seen from out here). */
void import_remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Remove what JOB names; errno stays as the failure left it. */
static void undo(struct job *job)
{
	int err = errno;
	if (job->tmpdir[0])
		import_remove_tree(job->tmpdir);
	if (job->download[0])
		unlink(job->download);
	job->tmpdir[0] = job->download[0] = '\0';
	errno = err;
}

static int check_interrupted(void)
{
	if (interrupted)
		return fail_with("import: interrupted by %s; nothing was imported",
				 strsignal(interrupted));
	return 0;
}

static int pathf(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int pathf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		out[0] = '\0'; /* nothing made: nothing for undo() to remove */
		return fail_with("import: path too long under %s", state_root());
	}
	return 0;
}

static bool is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX];
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(file, sizeof file, "%.*s/%s", (int)n, p, prog);
		if (n && access(file, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* Record why PROG (curl or wget) ended with status RC; CODE is what curl
 * printed, the HTTP status. The exit codes are those of curl(1) and
 * wget(1), EXIT STATUS. */
static int download_failed(const char *url, const char *prog, int rc, const char *code)
{
	bool curl = strcmp(prog, "curl") == 0;
	if (curl && rc == 22)
		return fail_with("import: %s: the server answered HTTP %.15s%s", url, code,
				 strcmp(code, "404") == 0 ? " (not found); check the URL" : "");
	if (!curl && rc == 8)
		return fail_with("import: %s: the server answered with an error; check the URL",
				 url);
	if (curl && (rc == 6 || rc == 7 || rc == 28))
		return fail_with("import: %s: %s", url,
				 rc == 6 ? "cannot resolve the host name"
				 : rc == 7 ? "cannot connect to the server" : "the download timed out");
	return fail_with("import: %s: %s failed with status %d (see its manual, EXIT STATUS)",
			 url, prog, rc);
}

/* Fetch URL into FILE with the host's curl (or wget): they know proxies,
 * TLS and redirects, which tdg need not. spawn_capture() runs it and reads
 * what curl prints on stdout, the HTTP status; its own messages and the
 * progress bar go to the terminal (/dev/tty) when stderr is one, else
 * nowhere: in a script tdg's one line is all there is. */
static int download(const char *url, const char *file)
{
	bool tty = isatty(STDERR_FILENO) && access("/dev/tty", W_OK) == 0;
	bool curl = on_path("curl");
	char *argv[16];
	int n = 0;
	if (curl) {
		argv[n++] = "curl";
		argv[n++] = "--fail";	/* an HTTP error is an error, not a file */
		argv[n++] = "--location";
		argv[n++] = "--proto"; /* nor may a redirect lead to file:// */
		argv[n++] = "=http,https";
		argv[n++] = tty ? "--progress-bar" : "--silent";
		if (tty) {
			argv[n++] = "--stderr";
			argv[n++] = "/dev/tty";
		}
		argv[n++] = "--write-out"; /* the HTTP status, for our error line */
		argv[n++] = "%{http_code}";
		argv[n++] = "--output";
		argv[n++] = (char *)file;
		argv[n++] = "--url";
	} else if (on_path("wget")) {
		argv[n++] = "wget";
		argv[n++] = "--quiet";
		if (tty) {
			argv[n++] = "--show-progress";
			argv[n++] = "--output-file=/dev/tty";
		}
		argv[n++] = "--output-document";
		argv[n++] = (char *)file;
		argv[n++] = "--";
	} else
		return fail_with("import: %s: downloading needs curl or wget on the host; "
				 "install curl, or download the file yourself and import it", url);
	argv[n++] = (char *)url;
	argv[n] = NULL;

	/* A signal that came before spawn_capture_child names the download
	 * is seen here; one in the instant between fork() and that (a kill(1)
	 * of tdg: Ctrl-C reaches curl itself) lets the download finish, and
	 * the check after it stops the import. */
	if (check_interrupted() != 0)
		return -1;
	char *code = NULL;
	int rc = spawn_capture(argv, &code, NULL, 0);
	if (rc < 0)
		return fail_context("import");
	if (check_interrupted() == 0 && rc != 0)
		download_failed(url, argv[0], rc, code);
	free(code);
	return interrupted || rc != 0 ? -1 : 0;
}

/* Is there a /bin/sh as the container will see it? RESOLVE_IN_ROOT makes
 * the kernel resolve symlinks as if ROOT were "/": Alpine's bin/sh is
 * "-> /bin/busybox", which from the host would mean the host's file. */
static bool has_shell(const char *root)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return false;
	int fd = (int)syscall(SYS_openat2, dir, "bin/sh", &how, sizeof how);
	bool found = fd >= 0 || errno == ENOSYS; /* kernel < 5.6: do not guess */
	if (fd >= 0)
		close(fd);
	close(dir);
	return found;
}

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;
	while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN)
			return -1;
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* Unpack the tar archive open on FD into the current directory; returns
 * the number of entries written, or -1 with the failure recorded (and
 * both archives freed: a failed import is an ordinary outcome, and leaves
 * nothing allocated). LABEL names the archive in messages. */
static long unpack(int fd, const char *label, struct whiteouts *wh)
{
	/* Refuse what would write outside: "..", absolute paths, and any
	 * path through a symlink (the archive's own "lib -> /etc", then
	 * "lib/x") -- for hard link targets too. A rootfs needs its owners
	 * and modes exactly, setuid bits included (su, passwd), so PERM and,
	 * as root, OWNER; by number, never looked up by name: the host's
	 * /etc/passwd says nothing about the container's users. TIME, XATTR
	 * (file capabilities) and ACL as stored. Not FFLAGS: an immutable
	 * file could not be removed by `rm -rf`, nor by our own undo. */
	int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_PERM |
		    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL;
	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER;
	else
		warn("import: not root: the files will be yours, not the archive's owners");

	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	if (!in || !out) {
		fail_with("import: out of memory");
		goto fail;
	}
	/* Only tar (ustar, pax, GNU) and the usual compressions: each format
	 * is parser code reading untrusted bytes, so no more than needed. */
	archive_read_support_format_tar(in);
	archive_read_support_filter_gzip(in);
	archive_read_support_filter_xz(in);
	archive_read_support_filter_zstd(in);
	archive_read_support_filter_bzip2(in);
	archive_write_disk_set_options(out, flags);
	if (archive_read_open_fd(in, fd, 64 * 1024) != ARCHIVE_OK) {
		fail_with("import: %s: %s; tdg imports tar archives (plain, gzip, xz, zstd, bzip2)",
			  label, archive_error_string(in));
		goto fail;
	}

	struct archive_entry *e;
	long entries = 0, devices = 0, warnings = 0;
	char first_warning[512] = "";
	int r;
	while ((r = archive_read_next_header(in, &e)) != ARCHIVE_EOF) {
		if (check_interrupted() != 0)
			goto fail;
		if (r < ARCHIVE_WARN) {
			fail_with("import: %s: %s; tdg imports tar archives (plain, gzip, xz, "
				  "zstd, bzip2)", label, archive_error_string(in));
			goto fail;
		}
		const char *path = archive_entry_pathname(e);
		/* Device nodes are skipped: the container gets its own /dev
		 * (dev.h), and a disk's node anywhere else in the tree would
		 * be a way to the host's disks that the archive chose. */
		mode_t type = archive_entry_filetype(e);
		if (type == AE_IFCHR || type == AE_IFBLK) {
			devices++;
			continue;
		}
		/* (image layers) A ".wh." entry is not a file but a note: "delete
		 * this from the layers below". Kept for after the tar, when
		 * whiteout_apply_all() writes it in overlayfs's form. */
		if (wh && path && whiteout_is(path)) {
			if (whiteout_note(wh, path) != 0)
				goto fail;
			entries++;
			continue;
		}
		r = archive_write_header(out, e);
		if (r >= ARCHIVE_WARN && archive_entry_size(e) > 0 && copy_data(in, out) != 0)
			r = ARCHIVE_FATAL;
		if (r >= ARCHIVE_WARN) {
			int f = archive_write_finish_entry(out);
			r = f < r ? f : r; /* the worse of the two */
		}
		if (r < ARCHIVE_WARN) {
			const char *why = archive_error_string(out);
			if (!why)
				why = archive_error_string(in);
			const char *link = archive_entry_hardlink(e);
			fail_with("import: %s: entry '%s'%s%s%s: %s; nothing was imported", label,
				  path ? path : "?", link ? " (a hard link to '" : "",
				  link ? link : "", link ? "')" : "", why ? why : "cannot unpack it");
			goto fail;
		}
		if (r == ARCHIVE_WARN && warnings++ == 0)
			snprintf(first_warning, sizeof first_warning, "%s: %s", path,
				 archive_error_string(out));
		if (path && strcmp(path, ".") != 0 && strcmp(path, "./") != 0)
			entries++;
	}
	/* Folders' modes and times are set last (a read-only folder must
	 * first be filled): errors may still come here. */
	if (archive_write_close(out) != ARCHIVE_OK) {
		fail_with("import: %s: %s; nothing was imported", label,
			  archive_error_string(out));
		goto fail;
	}
	archive_write_free(out);
	archive_read_free(in);
	if (devices)
		warn("import: skipped %ld device node%s: a container gets its own /dev", devices,
		     devices == 1 ? "" : "s");
	if (warnings)
		warn("import: %ld warning%s, the first: %s", warnings, warnings == 1 ? "" : "s",
		     first_warning);
	return entries;
fail:
	/* The message, which may quote their error strings, is made. */
	archive_write_free(out);
	archive_read_free(in);
	return -1;
}

int import_rootfs(const char *source, const char *name)
{
	char dir[PATH_MAX], final[PATH_MAX], abs[PATH_MAX];
	struct job job = {"", ""};
	struct stat st;
	int fd = -1, here = -1, rc = -1;
	long entries;
	/* Until the end, a signal stops the import at its next step rather
	 * than killing tdg with a half-made folder left behind. A fixed umask
	 * gives folders that the archive only implies (no entry of their own,
	 * as in `docker export`) the usual 0755. Both are put back at the end. */
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal}, old[3]; /* no SA_RESTART */
	interrupted = 0;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	mode_t mask = umask(022);

	if (!id_name_valid(name)) {
		fail_with("import: '%s': not a valid name (a letter or digit, then letters, "
			  "digits, '_', '.', '-'; at most 63)", name);
		goto fail;
	}
	if (pathf(dir, sizeof dir, "%s/rootfs", state_root()) != 0 ||
	    pathf(final, sizeof final, "%s/%s", dir, name) != 0)
		goto fail;
	if (lstat(final, &st) == 0) {
		fail_with("import: %s: a rootfs of that name exists; choose another name, "
			  "or remove it first (rm -rf %s)", name, final);
		goto fail;
	}
	/* Only root may enter the folder of rootfs trees: they hold setuid
	 * binaries that an archive chose, and a host user must not run them. */
	if (mkdir(state_root(), 0755) != 0 && errno != EEXIST) {
		fail_with("import: mkdir %s: %m; is TDG_ROOT writable?", state_root());
		goto fail;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fail_with("import: mkdir %s: %m", dir);
		goto fail;
	}

	const char *archive = source;
	if (is_url(source)) {
		if (pathf(job.download, sizeof job.download, "%s/.%s.download.XXXXXX", dir,
			  name) != 0)
			goto fail;
		int tmp = mkostemp(job.download, O_CLOEXEC);
		if (tmp < 0) {
			job.download[0] = '\0';
			fail_with("import: mkstemp in %s: %m", dir);
			goto fail;
		}
		close(tmp);
		if (download(source, job.download) != 0)
			goto fail;
		archive = job.download;
	}
	fd = open(archive, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fail_with("import: %s: %m", source);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		fail_with("import: %s: is a folder, not an archive; pass it to --rootfs as it is",
			  source);
		goto fail;
	}

	if (pathf(job.tmpdir, sizeof job.tmpdir, "%s/.%s.tmpXXXXXX", dir, name) != 0)
		goto fail;
	if (!mkdtemp(job.tmpdir)) {
		job.tmpdir[0] = '\0';
		fail_with("import: mkdtemp in %s: %m", dir);
		goto fail;
	}
	/* mkdtemp's 0700 would lock the container's own users out of "/";
	 * an archive with a "./" entry sets the mode it wants. */
	chmod(job.tmpdir, 0755);
	/* libarchive writes relative to the current directory, hard link
	 * targets included: unpack from inside the new tree. */
	here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (here < 0 || chdir(job.tmpdir) != 0) {
		fail_with("import: chdir %s: %m", job.tmpdir);
		goto fail;
	}
	entries = unpack(fd, source, NULL);
	if (fchdir(here) != 0) {
		fail_with("import: chdir back: %m");
		goto fail;
	}
	if (entries < 0 || check_interrupted() != 0)
		goto fail;

	if (entries == 0) {
		fail_with("import: %s: the archive holds no files", source);
		goto fail;
	}
	if (rootfs_check(job.tmpdir, abs, sizeof abs) != 0) {
		fail_context("import: %s", job.tmpdir);
		goto fail;
	}
	if (!has_shell(job.tmpdir))
		warn("import: %s has no /bin/sh; give 'tdg run' a command that it has", name);
	/* On disk before the rename, so that a crash cannot leave NAME
	 * naming files whose contents never reached the disk. */
	int tree = open(job.tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tree >= 0) {
		syncfs(tree);
		close(tree);
	}
	/* The one step that makes NAME appear, whole; NOREPLACE: a second
	 * import of the same name at the same time loses instead of mixing. */
	if (renameat2(AT_FDCWD, job.tmpdir, AT_FDCWD, final, RENAME_NOREPLACE) != 0) {
		fail_with("import: %s: %s", name,
			  errno == EEXIST ? "a rootfs of that name appeared meanwhile; choose "
					    "another name" : strerror(errno));
		goto fail;
	}
	job.tmpdir[0] = '\0'; /* NAME now: nothing of it to undo */
	printf("imported %s: %ld entries in %s; use it with --rootfs %s\n", name, entries,
	       final, name);
	rc = 0;
fail:
	undo(&job); /* the half-unpacked tree, the download (no longer needed) */
	if (here >= 0)
		close(here);
	if (fd >= 0)
		close(fd);
	umask(mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	return rc;
}

long import_unpack_at(int fd, const char *label, const char *dir, struct whiteouts *wh)
{
	long entries = -1;
	mode_t mask = umask(022);
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (here < 0 || chdir(dir) != 0) {
		fail_with("import: chdir %s: %m", dir);
		goto out;
	}
	entries = unpack(fd, label, wh);
	if (fchdir(here) != 0) {
		fail_with("import: chdir back: %m");
		entries = -1;
	}
	if (entries >= 0 && wh && whiteout_apply_all(dir, wh) != 0)
		entries = -1;
out:
	if (here >= 0)
		close(here);
	umask(mask);
	return entries;
}
