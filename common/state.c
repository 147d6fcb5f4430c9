/* state.c — see state.h.                                             (day 04) */
#include "state.h"
#include "fail.h"
#include "id.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *state_root(void)
{
	const char *r = getenv("TDG_ROOT");
	return r && *r ? r : "/var/lib/tdg";
}

int state_path(char *out, size_t size, const char *id, const char *file)
{
	int n = snprintf(out, size, "%s/containers%s%s%s%s", state_root(),
			 id ? "/" : "", id ? id : "", file ? "/" : "",
			 file ? file : "");
	if (n < 0 || (size_t)n >= size) {
		out[0] = '\0'; /* no path rather than a cut one: ENOENT, never a stranger */
		errno = ENAMETOOLONG;
		return fail_with("state: path too long under %s", state_root());
	}
	return 0;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return fail_host("state: mkdir %s: %m", tmp);
			*p = '/';
		}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return fail_host("state: mkdir %s: %m; is TDG_ROOT writable?", tmp);
	return 0;
}

static int lock_dir(const char *path)
{
	/* LAB(04.2): take an exclusive lock on the folder PATH and return the
	 * fd that holds it (state_unlock() closes it); on failure close what
	 * you opened and fail_with("state: flock %s: %m", path) (or "open").
	 * HINT: man 2 flock: it locks an open file, and a folder opened
	 * O_RDONLY|O_DIRECTORY is one; it blocks until the holder lets go, and
	 * a signal can cut that wait short (EINTR: try again). The kernel drops
	 * the lock when the fd closes, a killed tdg included. */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_with("state: open %s: %m", path);
	/* flock works on a folder's fd too; the lock is released when the fd
	 * is closed, which includes tdg dying: a crash never leaves it held. */
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			int err = errno;
			close(fd);
			errno = err;
			return fail_with("state: flock %s: %m", path);
		}
	return fd;
	/* END LAB */
}

int state_lock_all(void)
{
	char dir[PATH_MAX];
	if (state_path(dir, sizeof dir, NULL, NULL) < 0 || mkdir_p(dir) < 0)
		return -1;
	return lock_dir(dir);
}

int state_lock(const char *id)
{
	char dir[PATH_MAX];
	if (state_path(dir, sizeof dir, id, NULL) < 0)
		return -1;
	return lock_dir(dir);
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int state_create(json_t *c)
{
	char dir[PATH_MAX];
	if (state_path(dir, sizeof dir, state_str(c, "id"), NULL) < 0)
		return -1;
	if (mkdir(dir, 0700) != 0)
		return fail_with("state: mkdir %s: %m", dir); /* EEXIST: id taken */
	/* A folder without its config.json would be a container nobody can
	 * see (ps skips it) nor name: none rather than that. */
	if (state_save(c) != 0) {
		int err = errno;
		rmdir(dir);
		errno = err;
		return -1;
	}
	return 0;
}

int state_save(json_t *c)
{
	char final[PATH_MAX], tmp[PATH_MAX];
	const char *id = state_str(c, "id");
	if (state_path(final, sizeof final, id, "config.json") < 0 ||
	    state_path(tmp, sizeof tmp, id, ".config.json.XXXXXX") < 0)
		return -1;

	char *text = json_dumps(c, JSON_INDENT(2));
	if (!text) {
		errno = ENOMEM;
		return fail_with("state: cannot encode the metadata of %s", id);
	}
	/* LAB(04.3): write TEXT (and a final newline) to config.json so that a
	 * reader sees the old file or the new one, never half of one: into a
	 * new temp file TMP (its XXXXXX made unique) in the same folder, then
	 * renamed over FINAL. Free TEXT; on any failure remove the temp file
	 * and fail_with("state: write %s: %m", final).
	 * HINT: man 3 mkostemp; man 2 write returns short counts and EINTR
	 * (loop); man 2 close can report a write error; man 2 rename replaces
	 * FINAL atomically only within one filesystem (hence the same folder).
	 * STUB: free(text); return fail_todo("04.3"); */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		free(text);
		errno = err;
		return fail_with("state: write %s: %m", final);
	}
	size_t len = strlen(text), off = 0;
	int err = 0;
	while (off < len && !err) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno != EINTR)
			err = errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!err && write(fd, "\n", 1) != 1)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	free(text);
	/* Only a complete temp file is renamed over config.json: a full disk
	 * (ENOSPC) leaves the previous version intact, never half of a new one. */
	if (err || rename(tmp, final) != 0) {
		if (!err)
			err = errno;
		unlink(tmp);
		errno = err;
		return fail_with("state: write %s: %m", final);
	}
	return 0;
	/* END LAB */
}

json_t *state_load(const char *id)
{
	char path[PATH_MAX];
	json_error_t jerr;
	if (state_path(path, sizeof path, id, "config.json") < 0)
		return NULL;
	if (access(path, F_OK) != 0) { /* errno from access: ENOENT */
		fail_with("no such container: '%s'", id);
		return NULL;
	}
	json_t *c = json_load_file(path, 0, &jerr);
	if (!c || !json_is_object(c) || strcmp(state_str(c, "id"), id) != 0) {
		json_decref(c);
		errno = EINVAL;
		fail_with("%s: config.json is not valid tdg metadata", id);
		return NULL;
	}
	return c;
}

static int by_creation(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	return strcmp(state_str(x, "created_at"), state_str(y, "created_at"));
}

json_t **state_list(size_t *n)
{
	char dir[PATH_MAX];
	size_t cap = 16;
	json_t **list;
	*n = 0;
	if (state_path(dir, sizeof dir, NULL, NULL) < 0)
		return NULL;
	if (!(list = malloc(cap * sizeof *list))) {
		fail_with("state: out of memory");
		return NULL;
	}

	DIR *d = opendir(dir);
	if (!d && errno == ENOENT)
		return list; /* no containers/ yet: nothing ever ran */
	if (!d) {
		free(list);
		fail_with("state: open %s: %m", dir);
		return NULL;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!id_valid(e->d_name))
			continue;
		json_t *c = state_load(e->d_name);
		if (!c) {
			if (errno == EINVAL)
				warn("state: %s/%s/config.json is not valid tdg "
				     "metadata; remove that folder (tdg rm %s, from day 06)",
				     dir, e->d_name, e->d_name);
			continue;
		}
		if (*n == cap) {
			json_t **more = realloc(list, 2 * cap * sizeof *list);
			if (!more) {
				json_decref(c);
				closedir(d);
				state_free_list(list, *n);
				*n = 0;
				fail_with("state: out of memory");
				return NULL;
			}
			list = more;
			cap *= 2;
		}
		list[(*n)++] = c;
	}
	closedir(d);
	if (*n)
		qsort(list, *n, sizeof *list, by_creation);
	return list;
}

void state_free_list(json_t **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(list[i]);
	free(list);
}

int state_find(const char *ref, char *id_out)
{
	char dir[PATH_MAX];
	if (state_path(dir, sizeof dir, NULL, NULL) < 0)
		return -1;
	size_t reflen = strlen(ref);
	int prefix_hits = 0, name_hit = 0;
	char prefix_id[TDG_ID_LEN + 1] = "", name_id[TDG_ID_LEN + 1] = "";

	DIR *d = reflen ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!id_valid(e->d_name))
			continue;
		if (strcmp(e->d_name, ref) == 0) { /* a full id wins outright */
			strcpy(id_out, ref);
			closedir(d);
			return 0;
		}
		if (strncmp(e->d_name, ref, reflen) == 0) {
			prefix_hits++;
			strcpy(prefix_id, e->d_name);
		}
		json_t *c = state_load(e->d_name);
		if (c && strcmp(state_str(c, "name"), ref) == 0) {
			name_hit = 1;
			strcpy(name_id, e->d_name);
		}
		json_decref(c);
	}
	if (d)
		closedir(d);
	/* Docker's order: a name before an id prefix. */
	if (name_hit) {
		strcpy(id_out, name_id);
		return 0;
	}
	if (prefix_hits == 1) {
		strcpy(id_out, prefix_id);
		return 0;
	}
	if (prefix_hits > 1)
		return fail_with("'%s' matches %d containers; give more of the id", ref,
				 prefix_hits);
	errno = ENOENT;
	return fail_with("no such container: '%s'; 'tdg ps -a' lists them", ref);
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		warn("state: remove %s: %m", path);
	return 0;
}

void state_remove(const char *id)
{
	char dir[PATH_MAX];
	if (state_path(dir, sizeof dir, id, NULL) < 0) {
		warn("%s", fail_last.msg);
		return;
	}
	/* Depth first, without following symlinks: only what is inside. */
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *state_str(json_t *c, const char *key)
{
	const char *s = json_string_value(json_object_get(c, key));
	return s ? s : "";
}

long long state_int(json_t *c, const char *key)
{
	json_t *v = json_object_get(c, key);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

int state_record_locked(json_t *c, const char *const keys[])
{
	const char *id = state_str(c, "id");
	int rc = 0;
	json_t *disk = state_load(id);
	if (!disk) /* removed under us (rm -f): nothing to record */
		return 0;
	for (size_t i = 0; keys[i]; i++) /* a key C lacks stays as stored */
		if (json_object_get(c, keys[i]))
			json_object_set(disk, keys[i], json_object_get(c, keys[i]));
	if (state_save(disk) != 0)
		rc = fail_with("state: cannot record container %s: %m; free space under %s",
			       id, state_root());
	json_decref(disk);
	return rc;
}

int state_record(json_t *c, const char *const keys[])
{
	int lock = state_lock(state_str(c, "id"));
	if (lock < 0) /* removed under us (rm -f): nothing to record */
		return 0;
	int rc = state_record_locked(c, keys);
	state_unlock(lock);
	return rc;
}
