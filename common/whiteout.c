/* whiteout.c — see whiteout.h.                                        (day 10) */
#include "whiteout.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PREFIX ".wh."
#define OPAQUE ".wh..wh..opq"

static const char *base_of(const char *path)
{
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	const char *slash = memrchr(path, '/', n);
	return slash ? slash + 1 : path;
}

bool whiteout_is(const char *path)
{
	return strncmp(base_of(path), PREFIX, strlen(PREFIX)) == 0;
}

int whiteout_note(struct whiteouts *wh, const char *path)
{
	if (wh->n == wh->cap) {
		size_t cap = wh->cap ? 2 * wh->cap : 16;
		char **more = realloc(wh->path, cap * sizeof *more);
		if (!more)
			return fail_with("layer: out of memory");
		wh->path = more;
		wh->cap = cap;
	}
	if (!(wh->path[wh->n] = strdup(path)))
		return fail_with("layer: out of memory");
	wh->n++;
	return 0;
}

void whiteout_free(struct whiteouts *wh)
{
	for (size_t i = 0; i < wh->n; i++)
		free(wh->path[i]);
	free(wh->path);
	wh->path = NULL;
	wh->n = wh->cap = 0;
}

/* Open the folder COMP inside the open folder AT, making it if missing;
 * never through a symlink, never above AT (the kernel checks both). */
static int enter(int at, const char *comp)
{
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH};
	if (mkdirat(at, comp, 0755) != 0 && errno != EEXIST)
		return -1;
	return (int)syscall(SYS_openat2, at, comp, &how, sizeof how);
}

/* One whiteout PATH into the layer open as ROOT. */
static int apply(int root, const char *path)
{
	char buf[4096];
	if (strlen(path) >= sizeof buf)
		return fail_with("layer: whiteout '%.64s...': path too long", path);
	strcpy(buf, path);
	char *base = (char *)base_of(buf);
	/* The folder it sits in, one component at a time. */
	int dir = fcntl(root, F_DUPFD_CLOEXEC, 0);
	bool nested = base != buf;
	if (nested)
		base[-1] = '\0'; /* buf: the folder; base: the name */
	for (char *save, *comp = nested ? strtok_r(buf, "/", &save) : NULL; comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			close(dir);
			return fail_with("layer: whiteout '%s': Path contains '..'", path);
		}
		int next = enter(dir, comp);
		close(dir);
		if (next < 0)
			return fail_with("layer: whiteout '%s': %m%s", path,
					 errno == ELOOP || errno == EXDEV
						 ? " (it leads through a symlink)" : "");
		dir = next;
	}
	int rc = 0;
	if (strcmp(base, OPAQUE) == 0) {
		/* The folder's older contents are hidden, its own kept. */
		if (fsetxattr(dir, "trusted.overlay.opaque", "y", 1, 0) != 0)
			rc = fail_host("layer: whiteout '%s': set trusted.overlay.opaque: %m", path);
	} else {
		const char *name = base + strlen(PREFIX);
		if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
			rc = fail_with("layer: whiteout '%s': names no file", path);
		else if (mknodat(dir, name, S_IFCHR | 0, makedev(0, 0)) != 0)
			rc = fail_with("layer: whiteout '%s': mknod: %m", path);
	}
	close(dir);
	return rc;
}

int whiteout_apply_all(const char *dir, struct whiteouts *wh)
{
	int rc = 0;
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		rc = fail_with("layer: open %s: %m", dir);
	for (size_t i = 0; rc == 0 && i < wh->n; i++)
		rc = apply(root, wh->path[i]);
	if (root >= 0)
		close(root);
	whiteout_free(wh);
	return rc;
}
