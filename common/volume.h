/* volume.h — reading a `-v HOST:CTR[:ro|:rw]` bind-mount spec.      (day 10)
 *
 * HOST is a path on the host, resolved now (it must exist: Docker would
 * make an empty folder, but a typo should not silently mount nothing). CTR
 * is where it appears in the container, an absolute path other than "/".
 * CTR is kept relative to the new root ("data/x" for "/data/x"), because
 * the child joins it to the root folder before pivoting: a ".." in it would
 * climb out of that folder and make directories or files on the host
 * itself, and "/." or "//" would be "/" after all, so CTR comes back
 * normalised (no "", "." or ".." component) or is refused. */
#ifndef TDG_VOLUME_H
#define TDG_VOLUME_H

#include <stdbool.h>
#include <stddef.h>

struct volume {
	char *host; /* absolute and resolved, on the host (malloc'd) */
	char *ctr;  /* relative to the container's root, normalised (malloc'd) */
	bool ro;
};

/* SPEC into V; -1 with the reason recorded (fail.h), e.g. "the mode must
 * be ro or rw" (V then holds nothing to free). */
int volume_parse(const char *spec, struct volume *v);

/* Free what volume_parse() allocated in V. */
void volume_free(struct volume *v);

#endif
