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

void state_path(char *out, size_t size, const char *id, const char *file)
{
	int n = snprintf(out, size, "%s/containers%s%s%s%s", state_root(),
			 id ? "/" : "", id ? id : "", file ? "/" : "",
			 file ? file : "");
	if (n < 0 || (size_t)n >= size)
		die("state: path too long under %s", state_root());
}

static void mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				die_host("state: mkdir %s: %m", tmp);
			*p = '/';
		}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		die_host("state: mkdir %s: %m; is TDG_ROOT writable?", tmp);
}

static int lock_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* flock works on a folder's fd too; the lock is released when the fd
	 * is closed, which includes tdg dying: a crash never leaves it held. */
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR)
			die("state: flock %s: %m", path);
	return fd;
}

int state_lock_all(void)
{
	char dir[PATH_MAX];
	state_path(dir, sizeof dir, NULL, NULL);
	mkdir_p(dir);
	int fd = lock_dir(dir);
	if (fd < 0)
		die("state: open %s: %m", dir);
	return fd;
}

int state_lock(const char *id)
{
	char dir[PATH_MAX];
	state_path(dir, sizeof dir, id, NULL);
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
	state_path(dir, sizeof dir, state_str(c, "id"), NULL);
	if (mkdir(dir, 0700) != 0) {
		if (errno == EEXIST)
			return -1;
		die("state: mkdir %s: %m", dir);
	}
	/* A folder without its config.json would be a container nobody can
	 * see (ps skips it) nor name: none rather than that. */
	if (state_try_save(c) != 0) {
		int err = errno;
		rmdir(dir);
		errno = err;
		die("state: write %s/config.json: %m", dir);
	}
	return 0;
}

void state_save(json_t *c)
{
	if (state_try_save(c) != 0) {
		char final[PATH_MAX];
		int err = errno;
		state_path(final, sizeof final, state_str(c, "id"), "config.json");
		errno = err;
		die("state: write %s: %m", final);
	}
}

int state_try_save(json_t *c)
{
	char final[PATH_MAX], tmp[PATH_MAX];
	const char *id = state_str(c, "id");
	state_path(final, sizeof final, id, "config.json");
	state_path(tmp, sizeof tmp, id, ".config.json.XXXXXX");

	char *text = json_dumps(c, JSON_INDENT(2));
	if (!text)
		die("state: cannot encode the metadata of %s", id);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		free(text);
		errno = err;
		return -1;
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
		return -1;
	}
	return 0;
}

json_t *state_load(const char *id)
{
	char path[PATH_MAX];
	json_error_t jerr;
	state_path(path, sizeof path, id, "config.json");
	if (access(path, F_OK) != 0)
		return NULL; /* errno from access: ENOENT */
	json_t *c = json_load_file(path, 0, &jerr);
	if (!c || !json_is_object(c) || strcmp(state_str(c, "id"), id) != 0) {
		json_decref(c);
		errno = EINVAL;
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
	state_path(dir, sizeof dir, NULL, NULL);
	json_t **list = NULL;
	size_t cap = 0;
	*n = 0;

	DIR *d = opendir(dir);
	if (!d)
		return NULL; /* no containers/ yet: nothing ever ran */
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
			cap = cap ? 2 * cap : 16;
			list = realloc(list, cap * sizeof *list);
			if (!list)
				die("state: out of memory");
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

int state_find(const char *ref, char *id_out, char *why, size_t size)
{
	char dir[PATH_MAX];
	state_path(dir, sizeof dir, NULL, NULL);
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
		snprintf(why, size, "'%s' matches %d containers; give more of the id", ref,
			 prefix_hits);
	else
		snprintf(why, size, "no such container: '%s'; 'tdg ps -a' lists them", ref);
	return -1;
}

void state_resolve(const char *ref, char *id_out)
{
	char why[1024];
	if (state_find(ref, id_out, why, sizeof why) != 0)
		die("%s", why);
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
	state_path(dir, sizeof dir, id, NULL);
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
	if (state_try_save(disk) != 0)
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
