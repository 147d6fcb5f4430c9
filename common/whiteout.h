/* whiteout.h — deletions in an image layer, in overlayfs's form.       (day 10)
 *
 * An image is a stack of layers, each a tar of what changed. A layer
 * deletes a file of the layers below with an empty entry ".wh.NAME" next to
 * where NAME was, and hides a whole folder's older contents with an entry
 * ".wh..wh..opq" inside it (OCI image spec, layer.md, "Whiteouts"). tar has
 * no way to say "deleted", hence these names. overlayfs, which stacks the
 * unpacked layers, has its own form of the same two notes: a character
 * device 0/0 named NAME, and the extended attribute trusted.overlay.opaque=y
 * on the folder. Unpacking a layer turns the first form into the second,
 * after the tar (a whiteout hides only what the layers below hold, never a
 * file of its own layer), through the same refusals as every other entry:
 * no "..", no symlink on the way. */
#ifndef TDG_WHITEOUT_H
#define TDG_WHITEOUT_H

#include <stdbool.h>
#include <stddef.h>

/* The whiteout entries of one layer, in the tar's order. */
struct whiteouts {
	char **path;
	size_t n, cap;
};

/* Is PATH (a tar entry's name) a whiteout, ".wh." anything? */
bool whiteout_is(const char *path);

/* Keep PATH for whiteout_apply_all(). -1 with the failure recorded. */
int whiteout_note(struct whiteouts *wh, const char *path);

/* Write every noted whiteout into the unpacked layer DIR (folders they
 * sit in are made if the layer lacks them) and free the list. Returns 0,
 * or -1 with the failure recorded (a ".." or a symlink on the way). */
int whiteout_apply_all(const char *dir, struct whiteouts *wh);

/* Free the list without applying it. */
void whiteout_free(struct whiteouts *wh);

#endif
