/* images.c — day 10's image commands (images.h): `tdg pull`, `tdg images`,
 * `tdg rmi`, an image given to `tdg import`, and `run --image`'s defaults.
 * The mechanisms are common/oci_image.c (the store) and common/pull.c (the
 * registry); this file only parses arguments and prints. */
#include "images.h"
#include "cli.h"
#include "fail.h"
#include "oci_image.h"
#include "pull.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 256

int image_run_prepare(const char *ref, char **args, struct image_run *ir)
{
	/* Static: the strings are the config's, used until tdg exits. */
	static json_t *rec, *cfg;
	static char *command[MAX_ARGS + 1];
	static const char *env[MAX_ARGS];
	if (!(rec = image_load(ref)) || image_lowerdirs(rec, ir->lower, sizeof ir->lower) != 0 ||
	    !(cfg = image_config(rec)))
		return -1;
	snprintf(ir->top, sizeof ir->top, "%.*s", (int)strcspn(ir->lower, ":"), ir->lower);
	ir->ref = json_string_value(json_object_get(rec, "ref"));
	json_t *c = json_object_get(cfg, "config"), *v;
	size_t i, n = 0;
	/* Docker's rule: CMD replaces the image's Cmd, never its Entrypoint. */
	json_array_foreach(json_object_get(c, "Entrypoint"), i, v)
		if (n < MAX_ARGS && json_string_value(v))
			command[n++] = (char *)json_string_value(v);
	if (args[0])
		for (i = 0; args[i] && n < MAX_ARGS; i++)
			command[n++] = args[i];
	else
		json_array_foreach(json_object_get(c, "Cmd"), i, v)
			if (n < MAX_ARGS && json_string_value(v))
				command[n++] = (char *)json_string_value(v);
	command[n] = NULL;
	if (n == 0 || !command[0][0])
		return fail_with("run: image %s has no command (no Entrypoint, no Cmd); give one",
				 ref);
	ir->command = command;
	ir->nenv = 0;
	json_array_foreach(json_object_get(c, "Env"), i, v)
		if (ir->nenv < MAX_ARGS && json_string_value(v) && strchr(json_string_value(v), '='))
			env[ir->nenv++] = json_string_value(v);
	ir->env = env;
	const char *w = json_string_value(json_object_get(c, "WorkingDir"));
	ir->workdir = w && w[0] == '/' ? w : NULL;
	const char *u = json_string_value(json_object_get(c, "User"));
	ir->user = u && *u ? u : NULL;
	return 0;
}


int cmd_images(int argc, char **argv)
{
	if (argc == 2 && cli_is_help(argv[1])) {
		printf("Usage: tdg images\n\nList the images in $TDG_ROOT/images (from 'tdg pull' "
		       "or 'tdg import'):\nname, id (the config's digest), layers, size as "
		       "shipped.\n");
		return 0;
	}
	if (argc != 1)
		die("images: usage: tdg images");
	return image_list(stdout) == 0 ? 0 : fail_report();
}

int cmd_rmi(int argc, char **argv)
{
	if (argc == 2 && cli_is_help(argv[1])) {
		printf("Usage: tdg rmi IMAGE\n\nRemove an image, and the layers no other image "
		       "uses. Refused while a\ncontainer made from it exists ('tdg rm' it "
		       "first).\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		die("rmi: usage: tdg rmi IMAGE");
	return image_remove(argv[1]) == 0 ? 0 : fail_report();
}

int cmd_import_image(const char *source, const char *name, int *is_image)
{
	bool image = false;
	int rc = image_import(source, name, &image);
	*is_image = image;
	return rc == 0 ? 0 : fail_report();
}

int cmd_pull(int argc, char **argv)
{
	if (argc == 2 && cli_is_help(argv[1])) {
		printf("Usage: tdg pull [REGISTRY/]NAME[:TAG|@sha256:DIGEST]\n\n"
		       "Fetch an image from a registry (Docker Hub unless REGISTRY is given;\n"
		       "NAME alone means library/NAME there) into $TDG_ROOT/images, checking\n"
		       "every blob's digest; then 'tdg run --image REF' uses it. A registry on\n"
		       "loopback is spoken to over plain HTTP, any other over HTTPS (unless\n"
		       "TDG_INSECURE_REGISTRY=HOST:PORT names it). A registry that wants a\n"
		       "login gets what 'docker login' keeps in ~/.docker/config.json. A\n"
		       "broken-off pull continues where it stopped when run again.\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		die("pull: usage: tdg pull [REGISTRY/]NAME[:TAG|@sha256:DIGEST]");
	return pull_image(argv[1]) == 0 ? 0 : fail_report();
}
