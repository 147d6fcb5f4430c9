/* volume.c — see volume.h.                                           (day 10) */
#include "volume.h"
#include "fail.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CTR ("/data//x/./y/") into OUT ("data/x/y"): 0, or -1 if a component
 * is "..". OUT has room for strlen(CTR) + 1 bytes. */
static int normalise(const char *ctr, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		while (i < len && ctr[i] == '/')
			i++;
		size_t start = i;
		while (i < len && ctr[i] != '/')
			i++;
		size_t n = i - start;
		if (n == 0 || (n == 1 && ctr[start] == '.'))
			continue;
		if (n == 2 && ctr[start] == '.' && ctr[start + 1] == '.')
			return -1;
		if (o)
			out[o++] = '/';
		memcpy(out + o, ctr + start, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

int volume_parse(const char *spec, struct volume *v)
{
	char host[PATH_MAX];
	const char *colon = strchr(spec, ':');
	v->host = v->ctr = NULL;
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof host)
		return fail_with("not HOST:CTR[:ro]");
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	const char *ctr = colon + 1, *second = strchr(ctr, ':');
	size_t ctrlen = second ? (size_t)(second - ctr) : strlen(ctr);
	if (second && strcmp(second + 1, "ro") != 0 && strcmp(second + 1, "rw") != 0)
		return fail_with("the mode must be ro or rw");
	char *rel = malloc(ctrlen + 1);
	if (!rel)
		return fail_with("out of memory");
	int dots = ctr[0] == '/' ? normalise(ctr, ctrlen, rel) : 0;
	if (ctr[0] != '/' || (dots == 0 && rel[0] == '\0')) {
		free(rel);
		return fail_with("CTR must be an absolute path other than /");
	}
	if (dots != 0) {
		free(rel);
		return fail_with("CTR must not contain '..' (it would lead out of the container)");
	}
	if (!(v->host = realpath(host, NULL))) {
		int err = errno;
		free(rel);
		errno = err;
		return fail_with("%s: %m", host);
	}
	v->ctr = rel;
	v->ro = second && strcmp(second + 1, "ro") == 0;
	return 0;
}

void volume_free(struct volume *v)
{
	free(v->host);
	free(v->ctr);
	v->host = v->ctr = NULL;
}
