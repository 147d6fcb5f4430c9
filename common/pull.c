/* pull.c — see pull.h.                                                (day 10) */
#include "pull.h"
#include "fail.h"
#include "oci_image.h"
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ACCEPT "Accept: application/vnd.oci.image.index.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

static volatile sig_atomic_t interrupted;

/* Ctrl-C reaches curl too (the terminal signals the process group); a
 * kill(1) of tdg does not: pass it on. tdg itself stops at its next
 * step and cleans up, leaving only the .partial downloads to continue. */
static void on_signal(int sig)
{
	interrupted = sig;
	if (spawn_capture_child > 0)
		kill(spawn_capture_child, SIGTERM);
}

/* One pull's conversation with one registry. */
struct session {
	struct image_ref ref;
	char base[900];	       /* http://localhost:5000/v2/library/busybox */
	char auth[PATH_MAX + 1]; /* "@FILE": FILE holds "Authorization: ...", or "" */
	char authfile[PATH_MAX]; /* that file, in downloads/ */
	char headers[PATH_MAX]; /* curl's --dump-header file */
	char scratch[PATH_MAX]; /* manifests and tokens land here */
	bool tty;	       /* progress bars (else plain lines) */
};

/* Is the registry on this machine? Then plain HTTP, as Docker allows. */
static bool loopback(const char *registry)
{
	char host[256];
	snprintf(host, sizeof host, "%s", registry);
	if (host[0] == '[')
		return strncmp(host, "[::1]", 5) == 0;
	host[strcspn(host, ":")] = '\0';
	const char *insecure = getenv("TDG_INSECURE_REGISTRY");
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       (insecure && strcmp(insecure, registry) == 0);
}

/* GET URL into OUT with curl(1); *STATUS: the HTTP status (0: none).
 * RESUME continues OUT where an earlier transfer broke off. Returns
 * curl's exit status (0: the transfer completed), or -1 recorded. */
static int get(struct session *s, const char *url, const char *accept, const char *out,
	       bool resume, bool bar, int *status)
{
	char *argv[32], *code = NULL, err[256] = "";
	int n = 0;
	argv[n++] = "curl";
	argv[n++] = "--location"; /* Docker Hub sends blobs on to a CDN */
	argv[n++] = "--proto";	  /* and never to file:// */
	argv[n++] = "=http,https";
	argv[n++] = "--dump-header";
	argv[n++] = s->headers;
	argv[n++] = "--write-out";
	argv[n++] = "%{http_code}";
	argv[n++] = "--output";
	argv[n++] = (char *)out;
	if (bar && s->tty) {
		/* curl's own meter: bytes, rate, time left, on the terminal
		 * (its stderr here is a pipe to us). */
		argv[n++] = "--stderr";
		argv[n++] = "/dev/tty";
	} else {
		argv[n++] = "--silent";
		argv[n++] = "--show-error";
	}
	if (resume) {
		argv[n++] = "--continue-at";
		argv[n++] = "-";
	}
	if (accept) { /* a manifest: at most 4 MiB, as Docker takes */
		argv[n++] = "--header";
		argv[n++] = (char *)accept;
		argv[n++] = "--max-filesize";
		argv[n++] = "4194304";
	}
	if (s->auth[0]) {
		/* @FILE: the header in it. curl drops it on a redirect to
		 * another host (the CDN). */
		argv[n++] = "--header";
		argv[n++] = s->auth;
	}
	argv[n++] = "--url";
	argv[n++] = (char *)url;
	argv[n] = NULL;
	int rc = spawn_capture(argv, &code, err, sizeof err);
	*status = code ? atoi(code) : 0;
	free(code);
	if (rc < 0)
		return fail_context("pull");
	if (rc == 127)
		return fail_host("pull: needs curl on the host (apt-get install curl)");
	/* curl(1), EXIT CODES: the ones a pull meets. 18, 52, 56: the
	 * transfer broke off (fetch() says so); the rest, curl's own words. */
	if (rc == 6 || rc == 7 || rc == 28)
		fail_with("pull: %s: %s", url,
			  rc == 6 ? "cannot resolve the host name"
			  : rc == 7 ? "cannot connect to the registry" : "the registry timed out");
	else if (rc != 0 && rc != 18 && rc != 56 && rc != 52)
		fail_with("pull: %s: %s", url, err[0] ? err : "curl failed");
	return rc;
}

/* The value of KEY="..." in a WWW-Authenticate challenge, into OUT. */
static void challenge_param(const char *line, const char *key, char *out, size_t size)
{
	char pat[32];
	out[0] = '\0';
	snprintf(pat, sizeof pat, "%s=\"", key);
	const char *p = strcasestr(line, pat);
	if (!p)
		return;
	p += strlen(pat);
	size_t n = strcspn(p, "\"");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* Put HEADER ("Authorization: ...") in the session's own 0600 file and
 * have every request send it, by curl's --header @FILE: a credential in
 * curl's argv would show in everyone's ps. */
static int set_auth(struct session *s, const char *header)
{
	int fd = open(s->authfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dprintf(fd, "%s\n", header) < 0) {
		if (fd >= 0)
			close(fd);
		return fail_with("pull: write %s: %m", s->authfile);
	}
	close(fd);
	snprintf(s->auth, sizeof s->auth, "@%s", s->authfile);
	return 0;
}

/* `docker login`'s credentials for our registry, from $DOCKER_CONFIG/
 * config.json or ~/.docker/config.json ("auths": {"REGISTRY": {"auth":
 * base64 of "user:password"}}), into B64; false if there are none. */
static bool docker_login(struct session *s, char *b64, size_t size)
{
	char path[PATH_MAX];
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	if (dir)
		snprintf(path, sizeof path, "%s/config.json", dir);
	else if (home)
		snprintf(path, sizeof path, "%s/.docker/config.json", home);
	else
		return false;
	json_t *cfg = json_load_file(path, 0, NULL), *auths = json_object_get(cfg, "auths");
	char http[300], https[300];
	snprintf(http, sizeof http, "http://%s", s->ref.registry);
	snprintf(https, sizeof https, "https://%s", s->ref.registry);
	const char *keys[] = {strcmp(s->ref.registry, "docker.io") == 0
				      ? "https://index.docker.io/v1/" : s->ref.registry,
			      https, http};
	const char *a = NULL;
	for (size_t i = 0; !a && i < 3; i++)
		a = json_string_value(json_object_get(json_object_get(auths, keys[i]), "auth"));
	bool found = a && *a && strlen(a) < size &&
		     strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
			     strlen(a);
	if (found)
		strcpy(b64, a);
	json_decref(cfg);
	return found;
}

/* After a 401: log in as the challenge asks. "Basic": with `docker
 * login`'s credentials. "Bearer" (Docker Hub's): ask its realm for a token
 * for its scope (with the credentials if there are some, else
 * anonymously), then send "Authorization: Bearer TOKEN". */
static int authenticate(struct session *s)
{
	FILE *f = fopen(s->headers, "re");
	char line[2048], chal[2048] = "", realm[1024], service[256], scope[512], login[1024];
	while (f && fgets(line, sizeof line, f))
		if (strncasecmp(line, "www-authenticate:", 17) == 0)
			snprintf(chal, sizeof chal, "%s", line + 17);
	if (f)
		fclose(f);
	bool have_login = docker_login(s, login, sizeof login);
	if (have_login) {
		char basic[1100];
		snprintf(basic, sizeof basic, "Authorization: Basic %s", login);
		if (set_auth(s, basic) != 0)
			return -1;
	}
	if (strncasecmp(chal + strspn(chal, " "), "basic", 5) == 0)
		return have_login ? 0 : fail_with("pull: %s wants a login; tdg uses what "
						  "'docker login' keeps in ~/.docker/config.json",
						  s->ref.registry);
	if (strncasecmp(chal + strspn(chal, " "), "bearer", 6) != 0)
		return fail_with("pull: %s: the registry wants a login tdg does not know (%s)",
				 s->ref.registry, chal[0] ? "not Basic nor Bearer"
							  : "401 without a challenge");
	challenge_param(chal, "realm", realm, sizeof realm);
	challenge_param(chal, "service", service, sizeof service);
	challenge_param(chal, "scope", scope, sizeof scope);
	if (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0)
		return fail_with("pull: %s: the token realm '%s' is not an http(s) URL",
				 s->ref.registry, realm);
	if (!scope[0])
		snprintf(scope, sizeof scope, "repository:%s:pull", s->ref.repo);
	char svc[300], scp[560];
	snprintf(svc, sizeof svc, "service=%s", service);
	snprintf(scp, sizeof scp, "scope=%s", scope);
	char *argv[] = {"curl", "--silent", "--show-error", "--fail", "--get", "--proto",
			"=http,https", "--data-urlencode", svc, "--data-urlencode", scp,
			"--output", s->scratch, "--url", realm,
			have_login ? "--header" : NULL, s->auth, NULL};
	char err[256] = "";
	int rc = spawn_capture(argv, NULL, err, sizeof err);
	if (rc != 0)
		return rc < 0 ? -1 : fail_with("pull: token from %s: %s", realm,
					       err[0] ? err : "curl failed");
	json_t *j = json_load_file(s->scratch, 0, NULL);
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	char bearer[8300];
	bool ok = tok && strlen(tok) < sizeof bearer - 30 && !strpbrk(tok, "\r\n");
	if (ok)
		snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", tok);
	json_decref(j);
	unlink(s->scratch);
	if (!ok)
		return fail_with("pull: %s gave no usable token", realm);
	return set_auth(s, bearer);
}

/* GET PATH (under /v2/NAME/) into OUT, authenticating once if asked. */
static int fetch(struct session *s, const char *path, const char *accept, const char *out,
		 bool resume, bool bar, const char *what)
{
	char url[1200];
	int status = 0, rc = -1;
	snprintf(url, sizeof url, "%s/%s", s->base, path);
	for (int tries = 0;; tries++) {
		if (interrupted)
			break;
		rc = get(s, url, accept, out, resume, bar, &status);
		if (interrupted)
			break;
		if (rc < 0)
			return -1;
		if (status == 401 && tries == 0 && !s->auth[0]) {
			unlink(out);
			if (authenticate(s) != 0)
				return -1;
			continue;
		}
		break;
	}
	if (interrupted)
		return fail_with("pull: %s: interrupted by %s; 'tdg pull' again continues it",
				 s->ref.shown, strsignal(interrupted));
	if (rc == 0 && (status == 200 || status == 206 || (resume && status == 416)))
		return 0;
	if (status == 404 || (status == 401 && s->auth[0])) {
		unlink(out);
		return fail_with("pull: %s: %s not found in %s%s", s->ref.shown, what,
				 s->ref.registry, status == 401 ? " (or not yours to read)" : "");
	}
	if (rc == 0 && status != 200) {
		unlink(out);
		return fail_with("pull: %s: %s: the registry answered HTTP %d", s->ref.shown,
				 what, status);
	}
	if (rc != 18 && rc != 56 && rc != 52)
		return -1; /* get() said why */
	struct stat st;
	long long got = stat(out, &st) == 0 ? (long long)st.st_size : 0;
	return fail_with("pull: %s: %s: the transfer broke off after %lld bytes (curl status "
			 "%d); 'tdg pull' again continues it", s->ref.shown, what, got, rc);
}

/* downloads/NAME into OUT. */
static int download_path(char *out, size_t size, const char *name)
{
	char sub[160];
	snprintf(sub, sizeof sub, "downloads/%s", name);
	return image_path(out, size, sub);
}

/* A manifest (by tag or digest DIGEST_OR_TAG) into FILE, its digest into
 * DIGEST, checked if it was asked for by digest. Parsed into *OUT. */
static int get_manifest(struct session *s, const char *ref, const char *file, char *digest,
			json_t **out)
{
	char path[300];
	snprintf(path, sizeof path, "manifests/%s", ref);
	if (fetch(s, path, ACCEPT, file, false, false,
		  strncmp(ref, "sha256:", 7) == 0 ? "manifest" : "tag") != 0)
		return -1;
	if (strncmp(ref, "sha256:", 7) == 0) {
		if (image_verify(file, ref) != 0)
			return fail_context("pull: %s: manifest", s->ref.shown);
		snprintf(digest, 72, "%s", ref);
	} else if (image_digest(file, digest) != 0)
		return -1;
	json_error_t err;
	if (!(*out = json_load_file(file, 0, &err)))
		return fail_with("pull: %s: the manifest is not JSON: %s", s->ref.shown, err.text);
	return 0;
}

/* Open FILE (made if missing) and hold flock() on it: two pulls of images
 * that share a layer take turns at its download, instead of both writing
 * it. Returns the fd (closing it unlocks), or -1 recorded. */
static int lock_partial(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_with("pull: open %s: %m", file);
	if (flock(fd, LOCK_EX) != 0) {
		close(fd);
		return fail_with("pull: lock %s: %m", file);
	}
	return fd;
}

/* Does the store hold SUB ("layers/HEX") already? */
static bool stored(const char *sub)
{
	char p[PATH_MAX];
	return image_path(p, sizeof p, sub) == 0 && access(p, F_OK) == 0;
}

/* A blob into downloads/HEX.partial (continued if there), verified;
 * 1 if, once our turn came, DONE (where it goes) was there already. */
static int get_blob(struct session *s, const char *digest, long long size, char *file,
		    size_t fsize, const char *what, const char *done)
{
	char path[120];
	struct stat st;
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71 ||
	    strspn(digest + 7, "0123456789abcdef") != 64)
		return fail_with("pull: %s: a %s without a sha256 digest", s->ref.shown, what);
	snprintf(path, sizeof path, "%s.partial", digest + 7);
	if (download_path(file, fsize, path) != 0)
		return -1;
	int lock = lock_partial(file), rc = -1;
	if (lock < 0)
		return -1;
	if (stored(done)) { /* another pull stored it meanwhile */
		unlink(file);
		close(lock);
		return 1;
	}
	bool have = fstat(lock, &st) == 0 && st.st_size > 0;
	if (!have || st.st_size != size) {
		struct timespec t0, t1;
		if (s->tty)
			printf("%.19s: %s, %lld bytes\n", digest, what, size), fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		snprintf(path, sizeof path, "blobs/%s", digest);
		if (fetch(s, path, NULL, file, have && st.st_size < size, true, what) != 0)
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (!s->tty)
			printf("%.19s: %s, %lld bytes in %.2fs (%.1f MB/s)\n", digest, what, size,
			       secs, secs > 0 ? size / secs / 1e6 : 0.0);
	}
	if (image_verify(file, digest) != 0) {
		unlink(file); /* a wrong blob is no start for the next try */
		fail_context("pull: %s: %s %.19s", s->ref.shown, what, digest);
		goto out;
	}
	rc = 0;
out:
	close(lock);
	return rc;
}

int pull_image(const char *text)
{
	struct session *s = calloc(1, sizeof *s);
	json_t *top = NULL, *nested = NULL, *manifest, *digests = json_array();
	char mdigest[72], file[PATH_MAX], mfile[PATH_MAX];
	int rc = -1, lock = -1;
	if (!s)
		return fail_with("pull: out of memory");
	/* Until the end a signal stops the pull at its next step; the
	 * handlers are put back before it returns. */
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal}, old[3]; /* no SA_RESTART */
	interrupted = 0;
	for (int k = 0; k < 3; k++)
		sigaction(sigs[k], &sa, &old[k]);
	s->tty = isatty(STDOUT_FILENO) && access("/dev/tty", W_OK) == 0;
	mfile[0] = '\0';
	if (image_ref_parse(text, &s->ref) != 0) {
		fail_context("pull");
		goto out;
	}
	if (strcmp(s->ref.registry, "docker.io") == 0 && !strstr(text, "docker.io/"))
		printf("%s means %s (Docker Hub)\n", text, s->ref.full);
	bool hub = strcmp(s->ref.registry, "docker.io") == 0;
	snprintf(s->base, sizeof s->base, "%s://%s/v2/%s", loopback(s->ref.registry) ? "http" : "https",
		 hub ? "registry-1.docker.io" : s->ref.registry, s->ref.repo);
	/* Our own scratch files: the pid keeps concurrent pulls apart. */
	char name[64];
	/* The store's shared lock, for the whole pull: an `rmi` cleaning up
	 * waits, so a layer found "already stored" stays until our ref names
	 * it, and none we unpack is taken for unused before that. */
	lock = image_lock(false); /* also makes the store's folders */
	snprintf(name, sizeof name, ".headers.%d", (int)getpid());
	if (lock < 0 || download_path(s->headers, sizeof s->headers, name) != 0)
		goto out;
	snprintf(name, sizeof name, ".scratch.%d", (int)getpid());
	if (download_path(s->scratch, sizeof s->scratch, name) != 0)
		goto out;
	snprintf(name, sizeof name, ".auth.%d", (int)getpid());
	if (download_path(s->authfile, sizeof s->authfile, name) != 0)
		goto out;
	snprintf(name, sizeof name, ".manifest.%d", (int)getpid());
	if (download_path(mfile, sizeof mfile, name) != 0)
		goto out;

	if (get_manifest(s, s->ref.digest[0] ? s->ref.digest : s->ref.tag, mfile, mdigest, &top) != 0)
		goto out;
	manifest = top;
	const char *mt = json_string_value(json_object_get(top, "mediaType"));
	if (json_object_get(top, "manifests") || (mt && strstr(mt, "index")) ||
	    (mt && strstr(mt, "list"))) {
		/* An index: one manifest per platform; ours, by its digest. */
		json_t *d = image_pick_platform(top);
		if (!d) {
			fail_context("pull: %s", s->ref.shown);
			goto out;
		}
		char want[72];
		snprintf(want, sizeof want, "%s", json_string_value(json_object_get(d, "digest")) ?: "");
		if (strlen(want) != 71) {
			fail_with("pull: %s: the index lists a manifest without a digest", s->ref.shown);
			goto out;
		}
		if (get_manifest(s, want, mfile, mdigest, &nested) != 0)
			goto out;
		manifest = nested;
	}
	json_t *cfg = json_object_get(manifest, "config"), *layers = json_object_get(manifest, "layers");
	const char *cd = json_string_value(json_object_get(cfg, "digest"));
	if (!cd || json_array_size(layers) == 0) {
		fail_with("pull: %s: the manifest has no config or no layers", s->ref.shown);
		goto out;
	}
	char sub[128];
	snprintf(sub, sizeof sub, "blobs/sha256/%s", strlen(cd) == 71 ? cd + 7 : "-");
	if (!stored(sub)) {
		int got = get_blob(s, cd, json_integer_value(json_object_get(cfg, "size")), file,
				   sizeof file, "config", sub);
		if (got < 0 || (got == 0 && image_store_blob(file, cd, true) != 0))
			goto out;
	}
	/* Every layer first downloaded and checked: a bad one fails the pull
	 * with nothing of it unpacked. */
	size_t i;
	json_t *l;
	long long total = 0;
	json_array_foreach(layers, i, l) {
		const char *d = json_string_value(json_object_get(l, "digest"));
		long long size = json_integer_value(json_object_get(l, "size"));
		total += size;
		snprintf(sub, sizeof sub, "layers/%s", d && strlen(d) == 71 ? d + 7 : "-");
		int got = stored(sub) ? 1 : get_blob(s, d, size, file, sizeof file, "layer", sub);
		if (got < 0)
			goto out;
		if (interrupted) { /* during the checksum */
			fail_with("pull: interrupted by %s", strsignal(interrupted));
			goto out;
		}
		if (got == 1)
			printf("%.19s: layer already stored\n", d);
		json_array_append_new(digests, json_string(d));
	}
	/* Unpacked and named under the store's shared lock: an `rmi` cleaning
	 * up waits, and cannot take a layer no ref names yet. */
	if ((lock = image_lock(false)) < 0)
		goto out;
	json_array_foreach(digests, i, l) {
		const char *d = json_string_value(l);
		bool fresh;
		snprintf(sub, sizeof sub, "layers/%s", d + 7);
		if (stored(sub))
			continue; /* before, or by a concurrent pull */
		snprintf(sub, sizeof sub, "%s.partial", d + 7);
		if (download_path(file, sizeof file, sub) != 0)
			goto out;
		int part = lock_partial(file); /* one layer at a time: no deadlock */
		if (part < 0)
			goto out;
		snprintf(sub, sizeof sub, "layers/%s", d + 7);
		int added = stored(sub) ? 0 : image_add_layer(file, d, &fresh);
		unlink(file);
		close(part);
		if (added != 0)
			goto out;
	}
	if (image_store_blob(mfile, mdigest, true) != 0)
		goto out;
	mfile[0] = '\0';
	if (image_commit(&s->ref, mdigest, cd, digests, total) != 0)
		goto out;
	printf("pulled %s: %zu layers, digest %s\n", s->ref.shown, json_array_size(digests),
	       mdigest);
	rc = 0;
out:
	image_unlock(lock);
	if (s->headers[0])
		unlink(s->headers);
	if (s->scratch[0])
		unlink(s->scratch);
	if (s->authfile[0])
		unlink(s->authfile);
	if (mfile[0])
		unlink(mfile);
	json_decref(digests);
	json_decref(nested);
	json_decref(top);
	free(s);
	for (int k = 0; k < 3; k++)
		sigaction(sigs[k], &old[k], NULL);
	return rc;
}
