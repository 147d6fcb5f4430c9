/* oci_image.c — see oci_image.h.                                      (day 10) */
#include "oci_image.h"
#include "fail.h"
#include "import.h"
#include "state.h"
#include "whiteout.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* ---- names ---- */

static bool valid_chars(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/* Each '/'-separated part of a name starts and ends with a letter or a
 * digit, as Docker's grammar says: no "", ".", ".." or "-x" parts. */
static bool components_valid(const char *s)
{
	for (const char *p = s;;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || !isalnum((unsigned char)p[0]) || !isalnum((unsigned char)p[n - 1]))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

static bool is_digest(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
		return false;
	for (s += 7; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

int image_ref_parse(const char *text, struct image_ref *r)
{
	char name[512];
	memset(r, 0, sizeof *r);
	if (strlen(text) >= sizeof name)
		return fail_with("'%.40s...': too long for an image name", text);
	strcpy(name, text);
	char *at = strchr(name, '@');
	if (at) {
		*at = '\0';
		if (!is_digest(at + 1))
			return fail_with("'%s': a digest is sha256: and 64 lowercase hex digits",
					 text);
		strcpy(r->digest, at + 1);
	}
	char *rest = name, *slash = strchr(name, '/');
	if (slash && (memchr(name, '.', slash - name) || memchr(name, ':', slash - name) ||
		      strncmp(name, "localhost/", 10) == 0)) {
		*slash = '\0';
		if (strlen(name) >= sizeof r->registry)
			return fail_with("'%.40s...': the registry's name is too long", text);
		/* A host name, an address, a port: it goes into a URL. */
		if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
		    strlen(name))
			return fail_with("'%s': '%s' is not a registry (HOST[:PORT])", text, name);
		snprintf(r->registry, sizeof r->registry, "%s", name);
		rest = slash + 1;
	} else
		strcpy(r->registry, "docker.io");
	char *colon = strrchr(rest, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		if (strlen(colon + 1) > 128 || !*(colon + 1) ||
		    strspn(colon + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-") != strlen(colon + 1))
			return fail_with("'%s': a tag is 1-128 letters, digits, '_', '.', '-'", text);
		strcpy(r->tag, colon + 1);
	}
	if (!r->tag[0] && !r->digest[0])
		strcpy(r->tag, "latest");
	if (!valid_chars(rest, "._/-") || !components_valid(rest) || strstr(rest, ".."))
		return fail_with("'%s': not an image name ([REGISTRY/]NAME[:TAG|@sha256:...], "
				 "NAME's parts lowercase letters and digits, with '.', '_', '-' "
				 "inside, joined by '/')", text);
	bool hub = strcmp(r->registry, "docker.io") == 0;
	if (snprintf(r->repo, sizeof r->repo, "%s%.240s", hub && !strchr(rest, '/') ? "library/" : "",
		     rest) > 200)
		return fail_with("'%.40s...': the name is too long (200 at most)", text);
	const char *sep = r->digest[0] ? "@" : ":", *what = r->digest[0] ? r->digest : r->tag;
	snprintf(r->full, sizeof r->full, "%s/%s%s%s", r->registry, r->repo, sep, what);
	const char *shown = r->full;
	if (hub)
		shown = strncmp(r->repo, "library/", 8) == 0 ? r->full + 18 : r->full + 10;
	snprintf(r->shown, sizeof r->shown, "%s", shown);
	return 0;
}

/* ---- the store ---- */

int image_path(char *out, size_t size, const char *sub)
{
	int n = snprintf(out, size, "%s/images%s%s", state_root(), sub ? "/" : "", sub ? sub : "");
	if (n < 0 || (size_t)n >= size)
		return fail_with("image: path too long under %s", state_root());
	return 0;
}

static int mkdirs(void)
{
	static const char *const subs[] = {NULL, "blobs", "blobs/sha256", "layers", "refs",
					   "downloads"};
	char p[PATH_MAX];
	if (mkdir(state_root(), 0755) != 0 && errno != EEXIST)
		return fail_host("image: mkdir %s: %m; is TDG_ROOT writable?", state_root());
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
		if (image_path(p, sizeof p, subs[i]) != 0)
			return -1;
		/* 0700: layers hold setuid files an image chose. */
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return fail_host("image: mkdir %s: %m", p);
	}
	return 0;
}

int image_lock(bool exclusive)
{
	char p[PATH_MAX];
	if (mkdirs() != 0 || image_path(p, sizeof p, ".lock") != 0)
		return -1;
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_host("image: open %s: %m", p);
	if (flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
		close(fd);
		return fail_with("image: lock %s: %m", p);
	}
	return fd;
}

void image_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* The SHA-256 of the file PATH, in hex, into HEX (65 bytes). */
static int sha256_file(const char *path, char *hex)
{
	struct sha256_ctx ctx;
	unsigned char buf[65536], sum[SHA256_DIGEST_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_with("image: %s: %m", path);
	sha256_init(&ctx);
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&ctx, (size_t)n, buf);
	int err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return fail_with("image: read %s: %m", path);
	}
	sha256_digest(&ctx, sizeof sum, sum);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
	return 0;
}

int image_verify(const char *path, const char *digest)
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	if (!is_digest(digest))
		return fail_with("image: '%.80s': not a sha256 digest", digest);
	if (sha256_file(path, hex) != 0)
		return -1;
	if (strcmp(hex, digest + 7) != 0)
		return fail_with("digest mismatch: %.19s... was promised, the bytes are "
				 "sha256:%.12s...; refused, nothing stored", digest, hex);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), rc = -1;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n = 0;
	if (in >= 0 && out >= 0) {
		while ((n = read(in, buf, sizeof buf)) > 0)
			if (write(out, buf, n) != n) {
				n = -1;
				break;
			}
		rc = n == 0 && fsync(out) == 0 ? 0 : -1;
	}
	if (rc != 0)
		fail_with("image: copy %s: %m", from);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

int image_store_blob(const char *file, const char *digest, bool move)
{
	char final[PATH_MAX], tmp[PATH_MAX + 16], sub[128];
	snprintf(sub, sizeof sub, "blobs/sha256/%s", digest + 7);
	if (image_verify(file, digest) != 0 || mkdirs() != 0 ||
	    image_path(final, sizeof final, sub) != 0)
		return -1;
	if (access(final, F_OK) == 0) { /* stored already, the same bytes */
		if (move)
			unlink(file);
		return 0;
	}
	if (move)
		return rename(file, final) == 0 ? 0 : fail_with("image: rename %s: %m", file);
	snprintf(tmp, sizeof tmp, "%s.tmp%d", final, (int)getpid());
	if (copy_file(file, tmp) != 0 || rename(tmp, final) != 0) {
		unlink(tmp);
		return fail_with("image: store %s: %m", digest);
	}
	return 0;
}

int image_add_layer(const char *file, const char *digest, bool *fresh)
{
	char final[PATH_MAX], tmp[PATH_MAX], sub[128];
	*fresh = false;
	if (image_verify(file, digest) != 0 || mkdirs() != 0)
		return -1;
	snprintf(sub, sizeof sub, "layers/%s", digest + 7);
	if (image_path(final, sizeof final, sub) != 0)
		return -1;
	if (access(final, F_OK) == 0)
		return 0; /* stored once, shared */
	snprintf(sub, sizeof sub, "layers/.%.12s.XXXXXX", digest + 7);
	if (image_path(tmp, sizeof tmp, sub) != 0)
		return -1;
	if (!mkdtemp(tmp))
		return fail_host("image: mkdtemp %s: %m", tmp);
	chmod(tmp, 0755);
	struct whiteouts wh = {0};
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	char label[96];
	snprintf(label, sizeof label, "layer %.19s", digest);
	long n = fd < 0 ? fail_with("image: %s: %m", file) : import_unpack_at(fd, label, tmp, &wh);
	whiteout_free(&wh);
	if (fd >= 0)
		close(fd);
	if (n >= 0) {
		int dir = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir >= 0) { /* on disk before its name says "whole" */
			syncfs(dir);
			close(dir);
		}
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0) {
			*fresh = true;
			return 0;
		}
		if (errno != EEXIST && errno != ENOTEMPTY)
			fail_with("image: rename %s: %m", tmp);
		else
			n = 0; /* a concurrent pull stored it first: use that one */
	}
	import_remove_tree(tmp);
	return n >= 0 ? 0 : -1;
}

/* refs/REF.json for the ref FULL ("/" written as "+", never in a ref). */
static int ref_path(char *out, size_t size, const char *full)
{
	char sub[800];
	snprintf(sub, sizeof sub, "refs/%s.json", full);
	for (char *p = sub + 5; *p; p++)
		if (*p == '/')
			*p = '+';
	return image_path(out, size, sub);
}

int image_commit(const struct image_ref *r, const char *manifest, const char *config,
		 json_t *layers, long long size)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	if (mkdirs() != 0 || ref_path(path, sizeof path, r->full) != 0)
		return -1;
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:O, s:I}", "ref", r->full, "shown",
				r->shown, "manifest", manifest, "config", config, "layers", layers,
				"stored", (json_int_t)size);
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	int rc = rec && json_dump_file(rec, tmp, JSON_INDENT(2)) == 0 && rename(tmp, path) == 0
			 ? 0 : fail_with("image: write %s: %m", path);
	if (rc != 0)
		unlink(tmp);
	json_decref(rec);
	return rc;
}

json_t *image_load(const char *text)
{
	struct image_ref r;
	char path[PATH_MAX];
	if (image_ref_parse(text, &r) != 0 || ref_path(path, sizeof path, r.full) != 0)
		return NULL;
	json_error_t err;
	json_t *rec = json_load_file(path, 0, &err);
	if (!rec) {
		fail_with("image '%s': %s", text,
			  access(path, F_OK) != 0 ? "no such image here; 'tdg pull' or 'tdg import' "
						    "it first ('tdg images' lists them)"
						  : err.text);
		return NULL;
	}
	return rec;
}

int image_lowerdirs(json_t *rec, char *out, size_t size)
{
	json_t *layers = json_object_get(rec, "layers");
	size_t n = json_array_size(layers), len = 0;
	out[0] = '\0';
	if (n == 0)
		return fail_with("image %s: it has no layers", json_string_value(json_object_get(rec, "ref")));
	for (size_t i = n; i-- > 0;) { /* overlayfs wants the top layer first */
		const char *d = json_string_value(json_array_get(layers, i));
		char sub[128], p[PATH_MAX];
		snprintf(sub, sizeof sub, "layers/%s", d ? d + 7 : "?");
		if (image_path(p, sizeof p, sub) != 0)
			return -1;
		if (access(p, F_OK) != 0)
			return fail_with("image: layer %s is missing from the store; pull it again", p);
		int w = snprintf(out + len, size - len, "%s%s", len ? ":" : "", p);
		if (w < 0 || (size_t)w >= size - len)
			return fail_with("image: too many layers for one overlay mount (%zu)", n);
		len += w;
	}
	return 0;
}

json_t *image_config(json_t *rec)
{
	char sub[128], p[PATH_MAX];
	const char *d = json_string_value(json_object_get(rec, "config"));
	snprintf(sub, sizeof sub, "blobs/sha256/%s", d && strlen(d) > 7 ? d + 7 : "?");
	if (image_path(p, sizeof p, sub) != 0)
		return NULL;
	json_error_t err;
	json_t *c = json_load_file(p, 0, &err);
	if (!c)
		fail_with("image: config %s: %s", p, err.text);
	return c;
}

json_t *image_pick_platform(json_t *index)
{
	static const char *const map[][2] = {{"x86_64", "amd64"}, {"aarch64", "arm64"},
		{"armv7l", "arm"}, {"i686", "386"}, {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
		{"riscv64", "riscv64"}};
	struct utsname u;
	const char *arch = "amd64";
	uname(&u);
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcmp(u.machine, map[i][0]) == 0)
			arch = map[i][1];
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(index, "manifests"), i, m) {
		json_t *p = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *a = json_string_value(json_object_get(p, "architecture"));
		if (os && a && strcmp(os, "linux") == 0 && strcmp(a, arch) == 0)
			return m;
	}
	fail_with("the image has no variant for linux/%s (this machine)", arch);
	return NULL;
}

/* ---- listing and removing ---- */

static json_t *load_all(void)
{
	char dir[PATH_MAX];
	json_t *all = json_array();
	if (image_path(dir, sizeof dir, "refs") != 0)
		return all;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		char p[PATH_MAX + 256];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		json_t *rec = json_load_file(p, 0, NULL);
		if (rec)
			json_array_append_new(all, rec);
	}
	if (d)
		closedir(d);
	return all;
}

static int by_name(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *p = json_string_value(json_object_get(x, "shown"));
	const char *q = json_string_value(json_object_get(y, "shown"));
	return strcmp(p ? p : "", q ? q : "");
}

int image_list(FILE *out)
{
	json_t *all = load_all(), *rec, *sorted = json_array();
	size_t i, n = json_array_size(all);
	json_t **v = calloc(n ? n : 1, sizeof *v);
	for (i = 0; v && i < n; i++)
		v[i] = json_array_get(all, i);
	if (v)
		qsort(v, n, sizeof *v, by_name);
	for (i = 0; v && i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(all);
	all = sorted;
	fprintf(out, "%-40s %-14s %-7s %s\n", "IMAGE", "ID", "LAYERS", "SIZE");
	json_array_foreach(all, i, rec) {
		const char *cfg = json_string_value(json_object_get(rec, "config"));
		fprintf(out, "%-40s %-14.12s %-7zu %.1fMB\n",
			json_string_value(json_object_get(rec, "shown")), cfg ? cfg + 7 : "?",
			json_array_size(json_object_get(rec, "layers")),
			json_integer_value(json_object_get(rec, "stored")) / 1e6);
	}
	json_decref(all);
	return 0;
}

/* Remove every entry of the folder SUB that no image names. */
static void sweep(const char *sub, json_t *keep, bool tree)
{
	char dir[PATH_MAX];
	if (image_path(dir, sizeof dir, sub) != 0)
		return;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || json_object_get(keep, e->d_name))
			continue;
		char p[PATH_MAX + 256];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (tree) {
			import_remove_tree(p);
			printf("deleted layer sha256:%s\n", e->d_name);
		} else
			unlink(p);
	}
	if (d)
		closedir(d);
}

int image_remove(const char *text)
{
	struct image_ref r;
	char path[PATH_MAX];
	json_t *rec = image_load(text);
	if (!rec || image_ref_parse(text, &r) != 0 || ref_path(path, sizeof path, r.full) != 0) {
		json_decref(rec);
		return -1;
	}
	json_decref(rec);
	size_t n;
	json_t **list = state_list(&n);
	if (!list)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *img = state_str(list[i], "image");
		if (img && strcmp(img, r.full) == 0) {
			fail_with("rmi: %s: container %s was made from it; 'tdg rm' it first",
				  r.shown, state_str(list[i], "id"));
			state_free_list(list, n);
			return -1;
		}
	}
	state_free_list(list, n);
	int lock = image_lock(true); /* no pull between its layers and its ref */
	if (lock < 0)
		return -1;
	if (unlink(path) != 0) {
		image_unlock(lock);
		return fail_with("rmi: %s: %m", path);
	}
	printf("untagged %s\n", r.shown);
	json_t *all = load_all(), *keep = json_object(), *o, *l;
	size_t i, j;
	json_array_foreach(all, i, o) {
		json_array_foreach(json_object_get(o, "layers"), j, l)
			json_object_set(keep, json_string_value(l) + 7, json_true());
		const char *c = json_string_value(json_object_get(o, "config"));
		const char *m = json_string_value(json_object_get(o, "manifest"));
		if (c)
			json_object_set(keep, c + 7, json_true());
		if (m)
			json_object_set(keep, m + 7, json_true());
	}
	sweep("layers", keep, true);
	sweep("blobs/sha256", keep, false);
	json_decref(keep);
	json_decref(all);
	image_unlock(lock);
	return 0;
}

/* ---- import: an OCI layout or a docker/podman save archive ---- */

/* Add one image: its layer files (bottom first), its config file; all
 * verified against the digests given. */
static int add_image(const struct image_ref *r, const char *manifest, const char *cfg_file,
		     const char *cfg_digest, char **files, json_t *digests, long long size)
{
	int lock = image_lock(false), rc = -1, fresh_n = 0;
	if (lock < 0)
		return -1;
	size_t i;
	json_t *d;
	json_array_foreach(digests, i, d) {
		bool fresh;
		if (image_add_layer(files[i], json_string_value(d), &fresh) != 0)
			goto out;
		fresh_n += fresh;
	}
	if (image_store_blob(cfg_file, cfg_digest, false) != 0 ||
	    image_commit(r, manifest ? manifest : cfg_digest, cfg_digest, digests, size) != 0)
		goto out;
	printf("imported %s: %zu layers (%d new, %zu already stored); run it with "
	       "--image %s\n", r->shown, json_array_size(digests), fresh_n,
	       json_array_size(digests) - fresh_n, r->shown);
	rc = 0;
out:
	image_unlock(lock);
	return rc;
}

/* A path from the archive's own JSON, inside DIR or refused; a symlink
 * of the archive (older `docker save` links repeated layers) must lead
 * inside it too, not to a host file such as /etc/shadow. */
static int inside(char *out, size_t size, const char *dir, const char *rel)
{
	char real[PATH_MAX], top[PATH_MAX];
	if (!rel || rel[0] == '/' || strstr(rel, "..") ||
	    (size_t)snprintf(out, size, "%s/%s", dir, rel) >= size)
		return fail_with("import: '%s': not a path inside the archive", rel ? rel : "?");
	if (!realpath(out, real) || !realpath(dir, top))
		return fail_with("import: %s: %m", out);
	size_t n = strlen(top);
	if (strncmp(real, top, n) != 0 || real[n] != '/')
		return fail_with("import: '%s' leads outside the archive (to %s)", rel, real);
	return 0;
}

int image_digest(const char *path, char *out)
{
	char hex[65];
	if (sha256_file(path, hex) != 0)
		return -1;
	sprintf(out, "sha256:%s", hex);
	return 0;
}

/* What `docker save` / `podman save` write: manifest.json, a list of
 * {Config, RepoTags, Layers} with paths inside the archive. */
static int import_docker(const char *dir, const char *name)
{
	char p[PATH_MAX], cfg[PATH_MAX], cd[80];
	json_error_t err;
	snprintf(p, sizeof p, "%s/manifest.json", dir);
	json_t *list = json_load_file(p, 0, &err), *m = json_array_get(list, 0);
	json_t *layers = json_array_get(json_object_get(m, "Layers"), 0) ? json_object_get(m, "Layers") : NULL;
	json_t *digests = json_array();
	char **files = NULL;
	int rc = -1;
	if (!m || !layers) {
		fail_with("import: %s: not a docker save manifest%s%s", p, list ? "" : ": ",
			  list ? "" : err.text);
		goto out;
	}
	const char *tag = name ? name : json_string_value(json_array_get(json_object_get(m, "RepoTags"), 0));
	struct image_ref r;
	if (!tag) {
		fail_with("import: the archive names no image (no RepoTags); give it a NAME");
		goto out;
	}
	if (image_ref_parse(tag, &r) != 0 ||
	    inside(cfg, sizeof cfg, dir, json_string_value(json_object_get(m, "Config"))) != 0 ||
	    image_digest(cfg, cd) != 0)
		goto out;
	size_t n = json_array_size(layers), i;
	files = calloc(n, sizeof *files);
	long long size = 0;
	for (i = 0; files && i < n; i++) {
		char d[80];
		struct stat st;
		if (!(files[i] = malloc(PATH_MAX)) ||
		    inside(files[i], PATH_MAX, dir, json_string_value(json_array_get(layers, i))) != 0 ||
		    image_digest(files[i], d) != 0)
			goto out;
		if (stat(files[i], &st) == 0)
			size += st.st_size;
		json_array_append_new(digests, json_string(d));
	}
	rc = files ? add_image(&r, NULL, cfg, cd, files, digests, size) : fail_with("import: out of memory");
out:
	for (size_t k = 0; files && k < json_array_size(layers); k++)
		free(files[k]);
	free(files);
	json_decref(digests);
	json_decref(list);
	return rc;
}

static json_t *load_blob(const char *dir, const char *digest, char *file, size_t size)
{
	char rel[96];
	if (!digest || !is_digest(digest)) {
		fail_with("import: '%s': not a sha256 digest", digest ? digest : "?");
		return NULL;
	}
	snprintf(rel, sizeof rel, "blobs/sha256/%s", digest + 7);
	if (inside(file, size, dir, rel) != 0 || image_verify(file, digest) != 0)
		return NULL;
	json_error_t err;
	json_t *j = json_load_file(file, 0, &err);
	if (!j)
		fail_with("import: %s: %s", file, err.text);
	return j;
}

/* An OCI image layout: index.json names manifests (or indexes) in blobs/. */
static int import_oci(const char *dir, const char *tag, const char *name)
{
	char p[PATH_MAX], mf[PATH_MAX], cfg[PATH_MAX];
	json_error_t err;
	snprintf(p, sizeof p, "%s/index.json", dir);
	json_t *index = json_load_file(p, 0, &err), *manifest = NULL, *nested = NULL;
	json_t *digests = json_array();
	char **files = NULL;
	size_t n = 0;
	int rc = -1;
	if (!index) {
		fail_with("import: %s: %s", p, err.text);
		goto out;
	}
	/* Which image of the layout: the one tagged TAG (skopeo's and
	 * umoci's DIR:TAG), the only one, or this platform's. */
	json_t *all = json_object_get(index, "manifests"), *desc = NULL, *m;
	size_t k;
	char tags[256] = "";
	json_array_foreach(all, k, m) {
		const char *t = json_string_value(json_object_get(
			json_object_get(m, "annotations"), "org.opencontainers.image.ref.name"));
		if (tag && t && strcmp(t, tag) == 0)
			desc = m;
		if (t && strlen(tags) + strlen(t) + 3 < sizeof tags)
			strcat(strcat(tags, tags[0] ? ", " : ""), t);
	}
	if (tag && !desc) {
		fail_with("import: %s has no image tagged '%s' (tags: %s)", dir, tag, tags);
		goto out;
	}
	if (!desc && json_array_size(all) == 1)
		desc = json_array_get(all, 0);
	else if (!desc && json_object_get(json_array_get(all, 0), "platform"))
		desc = image_pick_platform(index);
	else if (!desc) {
		fail_with("import: %s holds several images (tags: %s); name one as %s:TAG", dir,
			  tags, dir);
		goto out;
	}
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	if (desc && mt && strstr(mt, "index")) { /* an index inside: one per platform */
		if (!(nested = load_blob(dir, json_string_value(json_object_get(desc, "digest")), mf, sizeof mf)) ||
		    !(desc = image_pick_platform(nested)))
			goto out;
	}
	const char *md = json_string_value(json_object_get(desc, "digest"));
	const char *ann = json_string_value(json_object_get(json_object_get(desc, "annotations"),
							    "org.opencontainers.image.ref.name"));
	struct image_ref r;
	if (!desc) {
		fail_with("import: %s lists no manifest", p);
		goto out;
	}
	if (!name && (!ann || !strchr(ann, '/'))) {
		fail_with("import: an OCI layout names its image only by a tag ('%s'); give it a NAME",
			  ann ? ann : "");
		goto out;
	}
	if (image_ref_parse(name ? name : ann, &r) != 0 ||
	    !(manifest = load_blob(dir, md, mf, sizeof mf)))
		goto out;
	const char *cd = json_string_value(json_object_get(json_object_get(manifest, "config"), "digest"));
	json_t *layers = json_object_get(manifest, "layers");
	n = json_array_size(layers);
	if (!cd || !is_digest(cd) || n == 0) {
		fail_with("import: manifest %s: no config or no layers", md);
		goto out;
	}
	char rel[96];
	snprintf(rel, sizeof rel, "blobs/sha256/%s", cd + 7);
	if (inside(cfg, sizeof cfg, dir, rel) != 0)
		goto out;
	files = calloc(n, sizeof *files);
	long long size = 0;
	for (size_t i = 0; files && i < n; i++) {
		json_t *l = json_array_get(layers, i);
		const char *d = json_string_value(json_object_get(l, "digest"));
		if (!d || !is_digest(d) || !(files[i] = malloc(PATH_MAX))) {
			fail_with("import: manifest %s: a layer without a sha256 digest", md);
			goto out;
		}
		snprintf(rel, sizeof rel, "blobs/sha256/%s", d + 7);
		if (inside(files[i], PATH_MAX, dir, rel) != 0)
			goto out;
		size += json_integer_value(json_object_get(l, "size"));
		json_array_append_new(digests, json_string(d));
	}
	rc = files ? add_image(&r, md, cfg, cd, files, digests, size) : fail_with("import: out of memory");
out:
	for (size_t k = 0; files && k < n; k++)
		free(files[k]);
	free(files);
	json_decref(digests);
	json_decref(manifest);
	json_decref(nested);
	json_decref(index);
	return rc;
}

/* Does the tar FILE hold manifest.json or oci-layout at its top? Only
 * the headers are read. */
static bool tar_is_image(const char *file)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool found = false;
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	if (archive_read_open_filename(a, file, 65536) == ARCHIVE_OK)
		while (!found && archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *n = archive_entry_pathname(e);
			if (n && strncmp(n, "./", 2) == 0)
				n += 2;
			found = n && (strcmp(n, "manifest.json") == 0 || strcmp(n, "oci-layout") == 0);
		}
	archive_read_free(a);
	return found;
}

int image_import(const char *source, const char *name, bool *is_image)
{
	struct stat st;
	char p[PATH_MAX + 32], tmp[PATH_MAX];
	char path[PATH_MAX];
	const char *tag = NULL;
	*is_image = false;
	snprintf(path, sizeof path, "%s", source);
	if (stat(path, &st) != 0) {
		/* DIR:TAG, as skopeo and umoci name an image of a layout. */
		char *colon = strrchr(path, ':');
		if (!colon || strchr(colon, '/'))
			return 0; /* a URL, or missing: import_rootfs() says */
		*colon = '\0';
		tag = colon + 1;
		if (stat(path, &st) != 0)
			return 0;
	}
	source = path;
	if (S_ISDIR(st.st_mode)) {
		/* Docker 25's save writes both: manifest.json has the names. */
		snprintf(p, sizeof p, "%s/manifest.json", source);
		if (access(p, F_OK) == 0 && !tag) {
			*is_image = true;
			return import_docker(source, name);
		}
		snprintf(p, sizeof p, "%s/oci-layout", source);
		if (access(p, F_OK) == 0) {
			*is_image = true;
			return import_oci(source, tag, name);
		}
		return 0;
	}
	if (!tar_is_image(source))
		return 0;
	*is_image = true;
	/* Unpacked first, with import's refusals, into the store's own
	 * downloads/ (same filesystem: the layers are renamed out). */
	if (mkdirs() != 0 || image_path(tmp, sizeof tmp, "downloads/.import.XXXXXX") != 0)
		return -1;
	if (!mkdtemp(tmp))
		return fail_host("import: mkdtemp %s: %m", tmp);
	int fd = open(source, O_RDONLY | O_CLOEXEC), rc = -1;
	if (fd < 0)
		fail_with("import: %s: %m", source);
	else if (import_unpack_at(fd, source, tmp, NULL) >= 0) {
		snprintf(p, sizeof p, "%s/manifest.json", tmp);
		rc = access(p, F_OK) == 0 && !tag ? import_docker(tmp, name)
						  : import_oci(tmp, tag, name);
	}
	if (fd >= 0)
		close(fd);
	import_remove_tree(tmp);
	return rc;
}
