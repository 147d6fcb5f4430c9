/* oci_spec.h — reading an OCI bundle's config.json.                  (day 10)
 *
 * podman (through conmon) and containerd (through its runc shim) do not
 * give a runtime flags: they write a *bundle*, a folder with config.json
 * (the opencontainers/runtime-spec "config.md") and the root filesystem,
 * and call `RUNTIME create --bundle DIR ID`. This file reads config.json
 * into the same kinds of settings `tdg run`'s flags fill (args, env,
 * working directory, rootfs, mounts, namespaces, limits), so the OCI
 * commands (day10-final/oci.c) run containers with day 10's own mechanisms.
 *
 * A field tdg does not honour is refused with its name ("config.json:
 * linux.uidMappings: not supported by tdg"), never silently dropped: a
 * caller that asked for a user namespace must not get a container without
 * one. The few fields tdg covers with its own defaults instead (seccomp:
 * tdg's default filter; devices: the default ones) say so below. */
#ifndef TDG_OCI_SPEC_H
#define TDG_OCI_SPEC_H
#include "resources.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define OCI_MAX 64 /* mounts, rlimits, sysctls, paths: at most */

struct oci_mount {
	const char *dest;   /* absolute, inside the container */
	const char *type;   /* "proc", "tmpfs", "bind", ... */
	const char *source; /* a host path for a bind */
	unsigned long flags; /* MS_NOSUID, MS_RDONLY, ... from "options" */
	unsigned long propagation; /* MS_PRIVATE, ... (0: none asked) */
	bool bind;	    /* "bind"/"rbind" option or type "bind" */
	char data[256];	    /* the options the filesystem reads itself */
};

struct oci_join {
	int type;	  /* CLONE_NEWNET, ... */
	const char *path; /* /run/netns/x, /proc/PID/ns/net */
};

struct oci_spec {
	json_t *json; /* owns every string below */
	char root[PATH_MAX]; /* root.path, absolute */
	bool readonly;	     /* root.readonly */
	bool terminal;	     /* process.terminal: a pty, over --console-socket */
	unsigned short rows, cols; /* process.consoleSize (0: none given) */
	char **args;	     /* process.args, NULL-terminated */
	char **env;	     /* process.env, NULL-terminated */
	const char *cwd;     /* process.cwd */
	uid_t uid;
	gid_t gid;
	gid_t gids[OCI_MAX]; /* process.user.additionalGids */
	int ngids;
	int umask;	 /* -1: leave it */
	int rlimit[OCI_MAX]; /* process.rlimits: RLIMIT_* of each */
	unsigned long long rlim_soft[OCI_MAX], rlim_hard[OCI_MAX];
	int nrlimits;
	const char *bounding[OCI_MAX]; /* process.capabilities.bounding */
	int nbounding;
	bool has_bounding;
	bool has_oom_score_adj;
	int oom_score_adj;
	const char *hostname; /* NULL: keep the one the UTS namespace has */
	struct oci_mount mounts[OCI_MAX];
	int nmounts;
	int clone_flags;	/* the namespaces to make new */
	struct oci_join join[8]; /* the namespaces to join by path */
	int njoin;
	struct limits limits;	  /* linux.resources memory, cpu, pids */
	const char *cgroups_path; /* linux.cgroupsPath, NULL if none */
	const char *masked[OCI_MAX];   /* linux.maskedPaths */
	size_t nmasked;
	const char *readonly_paths[OCI_MAX]; /* linux.readonlyPaths */
	size_t nreadonly;
	const char *sysctl_key[OCI_MAX], *sysctl_value[OCI_MAX];
	int nsysctl;
	json_t *hooks; /* "hooks", checked (NULL: none): oci.c runs them */
};

/* Read BUNDLE/config.json into S. 0, or -1 with the failure recorded
 * ("config.json: process.terminal: ..."), nothing left to free. */
int oci_spec_load(const char *bundle, struct oci_spec *s);
void oci_spec_free(struct oci_spec *s);
/* `exec --process FILE`: FILE holds one "process" object, as in
 * config.json (conmon writes it for podman exec); into S's process fields. */
int oci_process_load(const char *file, struct oci_spec *s);

/* "SIGTERM", "TERM", "15" -> 15; -1 if it names no signal. */
int oci_signal_number(const char *s);
#endif
