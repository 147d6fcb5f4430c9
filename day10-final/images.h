/* images.h — day 10's image commands: pull, images, rmi, and what
 * `run --image` takes from an image (common/oci_image.h, common/pull.h). */
#ifndef TDG_DAY10_IMAGES_H
#define TDG_DAY10_IMAGES_H

#include <limits.h>

/* What `run --image REF [CMD...]` runs: the layers and the image's config. */
struct image_run {
	char lower[PATH_MAX];  /* overlayfs lowerdir=: the layers, top first */
	char top[PATH_MAX];    /* the top layer's folder (recorded as rootfs) */
	const char *ref;       /* the image's full name, recorded as "image" */
	char **command;	       /* Entrypoint + (CMD given ? CMD : Cmd) */
	const char **env;      /* the image's Env, before -e */
	int nenv;
	const char *workdir;   /* WorkingDir, or NULL */
	const char *user;      /* User, or NULL */
};

/* Fill IR for REF and the command line's CMD [ARG...] (ARGS, may be empty).
 * Returns 0, or -1 with the failure recorded. */
int image_run_prepare(const char *ref, char **args, struct image_run *ir);


int cmd_pull(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
/* `tdg import` of an image; *IS_IMAGE false: not one (a rootfs tarball). */
int cmd_import_image(const char *source, const char *name, int *is_image);

#endif
