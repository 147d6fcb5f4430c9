/* oci_image.h — images: layers stored once, stacked by overlayfs.     (day 10)
 *
 * An image (OCI image spec; Docker's is the same) is three kinds of JSON
 * and tar files, each named by the SHA-256 of its bytes, its digest:
 *   - the manifest lists a config and the layers, by digest;
 *   - the config says how to run it (Cmd, Entrypoint, Env, WorkingDir,
 *     User) and for which platform;
 *   - each layer is a tar (often gzipped) of what changed against the
 *     layers below, deletions as whiteouts (whiteout.h).
 * A name with a digest cannot lie: whoever has the manifest's digest can
 * check every byte below it. tdg checks every blob before it keeps it.
 *
 * The store, $TDG_ROOT/images:
 *   blobs/sha256/HEX   manifests and configs, as they were verified
 *   layers/HEX/        each layer unpacked once (HEX: its blob's digest),
 *                      shared read-only by every image and container
 *   refs/REF.json      one image: its name, manifest, config and layers
 *                      ('/' in REF written as '+')
 *   downloads/         `tdg pull`'s blobs in progress (pull.h)
 * A layer appears by rename() when whole, so a half one never looks
 * complete, and two pulls unpacking the same layer at once both succeed
 * (the second drops its copy). `run --image` gives the layers to
 * overlayfs as lower layers, the top one first, under the container's
 * own writable layer (rootfs.h). */
#ifndef TDG_OCI_IMAGE_H
#define TDG_OCI_IMAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* [REGISTRY/]NAME[:TAG|@sha256:HEX], as Docker reads it: a first part with
 * a '.' or ':', or "localhost", is a registry, else Docker Hub (docker.io),
 * where a one-part NAME means library/NAME; no tag and no digest: latest. */
struct image_ref {
	char registry[256]; /* docker.io, localhost:5000 */
	char repo[256];	    /* library/busybox */
	char tag[129];	    /* latest (empty with a digest) */
	char digest[72];    /* sha256:HEX, or empty */
	char full[720];	    /* registry/repo:tag or registry/repo@digest */
	char shown[720];    /* as `tdg images` shows it: busybox:latest */
};
int image_ref_parse(const char *text, struct image_ref *r);

/* $TDG_ROOT/images/SUB (SUB may be NULL) into OUT. */
int image_path(char *out, size_t size, const char *sub);

/* Check that the file PATH's SHA-256 is DIGEST ("sha256:HEX"). -1 with
 * "digest mismatch" (or why it could not be read) recorded. */
int image_verify(const char *path, const char *digest);

/* The digest of the file PATH, "sha256:HEX", into OUT (72 bytes). */
int image_digest(const char *path, char *out);

/* Keep the blob FILE (verified against DIGEST) as blobs/sha256/HEX; the
 * file is moved if MOVE, else copied. */
int image_store_blob(const char *file, const char *digest, bool move);

/* Make layers/HEX from the layer blob FILE (verified against DIGEST)
 * unless it exists; *FRESH says whether this call unpacked it. */
int image_add_layer(const char *file, const char *digest, bool *fresh);

/* The store's lock: shared while adding an image (layers are not yet
 * named by any ref), exclusive while removing unused layers. Returns an
 * fd for image_unlock(), or -1. */
int image_lock(bool exclusive);
void image_unlock(int fd);

/* Name R the image of MANIFEST's digest, with CONFIG's digest and the
 * layer digests LAYERS (bottom first), all already stored; SIZE: the
 * layers' bytes as shipped, for `tdg images`. Replaces an
 * older image of that name (its layers stay until `rmi` or unused). */
int image_commit(const struct image_ref *r, const char *manifest, const char *config,
		 json_t *layers, long long size);

/* The record of the image TEXT names (refs/REF.json), or NULL with
 * "no such image" recorded. */
json_t *image_load(const char *text);

/* overlayfs's lowerdir= value for RECORD: its layers, top first. */
int image_lowerdirs(json_t *record, char *out, size_t size);

/* RECORD's config blob, parsed ("config" inside it is what run uses). */
json_t *image_config(json_t *record);

/* From an index (OCI image index, Docker manifest list): the entry for
 * this machine (linux and uname's architecture), or NULL recorded. */
json_t *image_pick_platform(json_t *index);

/* `tdg images`: a table on OUT. */
int image_list(FILE *out);

/* `tdg rmi REF`: refused while a container (any, running or not) was made
 * from it; then the ref goes, and every layer and blob no image names. */
int image_remove(const char *text);

/* `tdg import` of an image: SOURCE is a folder or a tar holding an OCI
 * image layout (oci-layout, index.json, blobs/) or what `docker save` and
 * `podman save` write (manifest.json). NAME (or NULL: the archive's own
 * RepoTags) names it. *IS_IMAGE is false, and nothing done, if SOURCE is
 * neither: a plain rootfs tarball, for import_rootfs(). */
int image_import(const char *source, const char *name, bool *is_image);

#endif
