/* oci_spec.c — see oci_spec.h.                                       (day 10) */
#include "oci_spec.h"
#include "fail.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/resource.h>

#define CFG "config.json: "

/* Refuse a key of OBJ that KNOWN does not list: a field tdg would ignore
 * must not be ignored silently. */
static int known_keys(json_t *obj, const char *where, const char *const known[])
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		int i = 0;
		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (!known[i])
			return fail_with(CFG "%s%s: not supported by tdg", where, key);
	}
	return 0;
}

/* A field whose value tdg can only honour when it is empty or absent
 * ([], {}, "", null). */
static int must_be_empty(json_t *obj, const char *key, const char *where)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0) ||
	    (json_is_object(v) && json_object_size(v) == 0) ||
	    (json_is_string(v) && !*json_string_value(v)))
		return 0;
	return fail_with(CFG "%s%s: not supported by tdg", where, key);
}

/* A NULL-terminated array of the strings of the JSON array A. */
static char **string_list(json_t *a, const char *what)
{
	size_t i, n = json_array_size(a);
	json_t *v;
	char **out = calloc(n + 1, sizeof *out);
	if (!out) {
		fail_with("out of memory");
		return NULL;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			free(out);
			fail_with(CFG "%s[%zu]: not a string", what, i);
			return NULL;
		}
		out[i] = (char *)json_string_value(v);
	}
	return out;
}

static int path_list(json_t *a, const char *what, const char **out, size_t *n)
{
	size_t i;
	json_t *v;
	if (json_array_size(a) > OCI_MAX)
		return fail_with(CFG "%s: more than %d entries", what, OCI_MAX);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_value(v)[0] != '/')
			return fail_with(CFG "%s[%zu]: not an absolute path", what, i);
		out[i] = json_string_value(v);
	}
	*n = json_array_size(a);
	return 0;
}

/* The mount(2) flags of the runtime spec's options (runc's and crun's
 * table); what is not a flag is the filesystem's own ("mode=755"). */
static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
	{"ro", false, MS_RDONLY},	  {"rw", true, MS_RDONLY},
	{"nosuid", false, MS_NOSUID},	  {"suid", true, MS_NOSUID},
	{"nodev", false, MS_NODEV},	  {"dev", true, MS_NODEV},
	{"noexec", false, MS_NOEXEC},	  {"exec", true, MS_NOEXEC},
	{"sync", false, MS_SYNCHRONOUS},  {"async", true, MS_SYNCHRONOUS},
	{"noatime", false, MS_NOATIME},	  {"atime", true, MS_NOATIME},
	{"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
	{"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME},
	{"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
	{"dirsync", false, MS_DIRSYNC},	  {"mand", false, MS_MANDLOCK},
	{"nomand", true, MS_MANDLOCK},
};
static const struct {
	const char *name;
	unsigned long flag;
} propagation_flags[] = {
	{"private", MS_PRIVATE},	     {"rprivate", MS_PRIVATE | MS_REC},
	{"slave", MS_SLAVE},		     {"rslave", MS_SLAVE | MS_REC},
	{"shared", MS_SHARED},		     {"rshared", MS_SHARED | MS_REC},
	{"unbindable", MS_UNBINDABLE},	     {"runbindable", MS_UNBINDABLE | MS_REC},
};

static int parse_mount(json_t *m, size_t i, struct oci_mount *out)
{
	static const char *const keys[] = {"destination", "type", "source", "options",
					   "uidMappings", "gidMappings", NULL};
	char where[32];
	snprintf(where, sizeof where, "mounts[%zu].", i);
	if (!json_is_object(m))
		return fail_with(CFG "mounts[%zu]: not an object", i);
	if (known_keys(m, where, keys) < 0 || must_be_empty(m, "uidMappings", where) < 0 ||
	    must_be_empty(m, "gidMappings", where) < 0)
		return -1;
	out->dest = json_string_value(json_object_get(m, "destination"));
	out->type = json_string_value(json_object_get(m, "type"));
	out->source = json_string_value(json_object_get(m, "source"));
	if (!out->dest || out->dest[0] != '/')
		return fail_with(CFG "%sdestination: not an absolute path", where);
	if (!out->type) /* the spec allows it for binds: the options say so */
		out->type = "none";
	out->bind = strcmp(out->type, "bind") == 0;
	size_t j;
	json_t *o;
	json_array_foreach(json_object_get(m, "options"), j, o) {
		const char *opt = json_string_value(o);
		if (!opt)
			return fail_with(CFG "%soptions[%zu]: not a string", where, j);
		size_t k;
		bool done = false;
		if (strcmp(opt, "bind") == 0 || strcmp(opt, "rbind") == 0) {
			out->bind = true;
			out->flags |= MS_BIND | (opt[0] == 'r' ? MS_REC : 0);
			continue;
		}
		/* crun's "copy the folder's content up into the tmpfs": podman
		 * asks for it on folders the image has; an empty tmpfs is
		 * what runc gives too. */
		if (strcmp(opt, "tmpcopyup") == 0 || strcmp(opt, "notmpcopyup") == 0)
			continue;
		for (k = 0; k < sizeof mount_flags / sizeof *mount_flags && !done; k++)
			if (strcmp(opt, mount_flags[k].name) == 0) {
				if (mount_flags[k].clear)
					out->flags &= ~mount_flags[k].flag;
				else
					out->flags |= mount_flags[k].flag;
				done = true;
			}
		for (k = 0; k < sizeof propagation_flags / sizeof *propagation_flags && !done; k++)
			if (strcmp(opt, propagation_flags[k].name) == 0) {
				out->propagation = propagation_flags[k].flag;
				done = true;
			}
		if (done)
			continue;
		size_t len = strlen(out->data);
		if (len + strlen(opt) + 2 > sizeof out->data)
			return fail_with(CFG "%soptions: too long", where);
		snprintf(out->data + len, sizeof out->data - len, "%s%s", len ? "," : "", opt);
	}
	if (out->bind) {
		out->flags |= MS_BIND;
		if (!out->source || out->source[0] != '/')
			return fail_with(CFG "%ssource: a bind needs an absolute host path", where);
		if (out->data[0])
			return fail_with(CFG "%soptions: '%s': not an option of a bind mount",
					 where, out->data);
	}
	return 0;
}

static const struct {
	const char *name;
	int flag;
} namespaces[] = {
	{"pid", CLONE_NEWPID},	  {"network", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC},
	{"uts", CLONE_NEWUTS},	  {"mount", CLONE_NEWNS},    {"cgroup", CLONE_NEWCGROUP},
	{"user", CLONE_NEWUSER},
};

static int parse_namespaces(json_t *list, struct oci_spec *s)
{
	size_t i;
	json_t *n;
	json_array_foreach(list, i, n) {
		const char *type = json_string_value(json_object_get(n, "type"));
		const char *path = json_string_value(json_object_get(n, "path"));
		size_t k = 0;
		while (k < sizeof namespaces / sizeof *namespaces &&
		       (!type || strcmp(type, namespaces[k].name) != 0))
			k++;
		if (k == sizeof namespaces / sizeof *namespaces)
			return fail_with(CFG "linux.namespaces[%zu].type '%s': not supported by "
					     "tdg", i, type ? type : "");
		/* A user namespace needs uid maps, which tdg's --userns makes
		 * its own way; not from a bundle yet. */
		if (namespaces[k].flag == CLONE_NEWUSER)
			return fail_with(CFG "linux.namespaces[%zu]: user: not supported by tdg "
					     "(run podman without --userns)", i);
		if (path && *path) {
			s->join[s->njoin].type = namespaces[k].flag;
			s->join[s->njoin++].path = path;
		} else
			s->clone_flags |= namespaces[k].flag;
	}
	if (!(s->clone_flags & CLONE_NEWNS))
		return fail_with(CFG "linux.namespaces: tdg needs a new mount namespace");
	return 0;
}

static int parse_resources(json_t *r, struct oci_spec *s)
{
	static const char *const keys[] = {"memory", "cpu", "pids", "devices", NULL};
	static const char *const mem_keys[] = {"limit", "swap", "reservation",
					       "disableOOMKiller", NULL};
	static const char *const cpu_keys[] = {"quota", "period", "shares", NULL};
	if (known_keys(r, "linux.resources.", keys) < 0)
		return -1;
	json_t *mem = json_object_get(r, "memory"), *cpu = json_object_get(r, "cpu");
	if (mem && (known_keys(mem, "linux.resources.memory.", mem_keys) < 0 ||
		    must_be_empty(mem, "reservation", "linux.resources.memory.") < 0))
		return -1;
	if (json_is_true(json_object_get(mem, "disableOOMKiller")))
		return fail_with(CFG "linux.resources.memory.disableOOMKiller: not supported by tdg");
	/* memory.swap: tdg sets no swap limit of its own (run --memory does
	 * not either); the memory limit holds. */
	s->limits.memory = json_integer_value(json_object_get(mem, "limit"));
	if (s->limits.memory < 0) /* -1: "unlimited" in the spec */
		s->limits.memory = 0;
	if (cpu && known_keys(cpu, "linux.resources.cpu.", cpu_keys) < 0)
		return -1;
	long long quota = json_integer_value(json_object_get(cpu, "quota"));
	long long period = json_integer_value(json_object_get(cpu, "period"));
	if (quota > 0)
		s->limits.cpu_quota = quota * CPU_PERIOD / (period > 0 ? period : CPU_PERIOD);
	/* cpu.shares only weighs containers against each other: without a
	 * weight of its own every container has the default. */
	s->limits.pids = json_integer_value(json_object_get(json_object_get(r, "pids"), "limit"));
	if (s->limits.pids < 0)
		s->limits.pids = 0;
	/* linux.resources.devices: tdg uses no device cgroup; its /dev holds
	 * only the default devices (dev.h), which is what the usual "deny
	 * all, allow the defaults" list asks for. */
	return 0;
}

/* NS (CLONE_NEWNET, ...) is made new or joined by path: the container's
 * own, not the host's (oci.c checks a joined one is not the host's). */
static bool own(const struct oci_spec *s, int ns)
{
	if (s->clone_flags & ns)
		return true;
	for (int i = 0; i < s->njoin; i++)
		if (s->join[i].type == ns)
			return true;
	return false;
}

/* Only sysctls of a namespace the container has of its own (runc's
 * rule): anything else would retune the host. */
static int parse_sysctl(json_t *o, struct oci_spec *s)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		bool net = strncmp(key, "net.", 4) == 0 && own(s, CLONE_NEWNET);
		bool ipc = (strncmp(key, "kernel.msg", 10) == 0 ||
			    strncmp(key, "kernel.sem", 10) == 0 ||
			    strncmp(key, "kernel.shm", 10) == 0 ||
			    strncmp(key, "fs.mqueue.", 10) == 0) &&
			   own(s, CLONE_NEWIPC);
		if (!net && !ipc)
			return fail_with(CFG "linux.sysctl: %s: not of a namespace the container "
					     "has of its own", key);
		if (!json_is_string(v) || s->nsysctl == OCI_MAX || strstr(key, ".."))
			return fail_with(CFG "linux.sysctl: %s: not a string", key);
		s->sysctl_key[s->nsysctl] = key;
		s->sysctl_value[s->nsysctl++] = json_string_value(v);
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{"RLIMIT_AS", RLIMIT_AS},	  {"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},	  {"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},	  {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_process(json_t *p, struct oci_spec *s)
{
	static const char *const keys[] = {
		"terminal", "consoleSize", "args", "env", "cwd", "user", "capabilities",
		"rlimits", "noNewPrivileges", "oomScoreAdj", "apparmorProfile", "selinuxLabel",
		NULL};
	static const char *const user_keys[] = {"uid", "gid", "additionalGids", "umask",
						"username", NULL};
	if (!json_is_object(p))
		return fail_with(CFG "process: missing");
	if (known_keys(p, "process.", keys) < 0 ||
	    must_be_empty(p, "apparmorProfile", "process.") < 0 ||
	    must_be_empty(p, "selinuxLabel", "process.") < 0)
		return -1;
	s->terminal = json_is_true(json_object_get(p, "terminal"));
	json_t *size = json_object_get(p, "consoleSize");
	s->rows = (unsigned short)json_integer_value(json_object_get(size, "height"));
	s->cols = (unsigned short)json_integer_value(json_object_get(size, "width"));
	json_t *args = json_object_get(p, "args");
	if (json_array_size(args) == 0)
		return fail_with(CFG "process.args: no command");
	if (!(s->args = string_list(args, "process.args")) ||
	    !(s->env = string_list(json_object_get(p, "env"), "process.env")))
		return -1;
	s->cwd = json_string_value(json_object_get(p, "cwd"));
	if (!s->cwd || s->cwd[0] != '/')
		return fail_with(CFG "process.cwd: not an absolute path");
	json_t *u = json_object_get(p, "user");
	if (u && known_keys(u, "process.user.", user_keys) < 0)
		return -1;
	s->uid = (uid_t)json_integer_value(json_object_get(u, "uid"));
	s->gid = (gid_t)json_integer_value(json_object_get(u, "gid"));
	s->umask = json_is_integer(json_object_get(u, "umask"))
			   ? (int)json_integer_value(json_object_get(u, "umask"))
			   : -1;
	size_t i;
	json_t *v;
	json_t *gids = json_object_get(u, "additionalGids");
	if (json_array_size(gids) > OCI_MAX)
		return fail_with(CFG "process.user.additionalGids: more than %d", OCI_MAX);
	json_array_foreach(gids, i, v)
		s->gids[s->ngids++] = (gid_t)json_integer_value(v);
	/* Capabilities: tdg starts from Docker's default 14 (caps.h) and
	 * narrows the bounding set to the bundle's (podman asks for 11 of
	 * them). One beyond the 14 would not be given: refused. For root in
	 * the container the bounding set is what it gets after exec; ambient
	 * capabilities (a non-root user's) are not supported. */
	json_t *capset = json_object_get(p, "capabilities");
	if (must_be_empty(capset, "ambient", "process.capabilities.") < 0)
		return -1;
	/* A capabilities object without "bounding" asks for none (podman
	 * --cap-drop all); no object at all gets tdg's default 14. */
	json_t *bounding = json_object_get(capset, "bounding");
	if (json_array_size(bounding) > OCI_MAX)
		return fail_with(CFG "process.capabilities.bounding: more than %d", OCI_MAX);
	s->has_bounding = capset != NULL;
	json_array_foreach(bounding, i, v)
		s->bounding[s->nbounding++] = json_string_value(v);
	static const char *const docker[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
		"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL};
	const char *set;
	json_t *caps;
	json_object_foreach(json_object_get(p, "capabilities"), set, caps)
		json_array_foreach(caps, i, v) {
			const char *name = json_string_value(v);
			int k = 0;
			while (docker[k] && name && strcmp(docker[k], name) != 0)
				k++;
			if (!docker[k])
				return fail_with(CFG "process.capabilities.%s: %s: tdg keeps Docker's "
						     "default 14, not more", set, name ? name : "?");
		}
	json_t *rl;
	json_array_foreach(json_object_get(p, "rlimits"), i, rl) {
		const char *type = json_string_value(json_object_get(rl, "type"));
		size_t k = 0;
		while (k < sizeof rlimits / sizeof *rlimits &&
		       (!type || strcmp(type, rlimits[k].name) != 0))
			k++;
		if (k == sizeof rlimits / sizeof *rlimits || s->nrlimits == OCI_MAX)
			return fail_with(CFG "process.rlimits[%zu].type '%s': not a limit", i,
					 type ? type : "");
		s->rlimit[s->nrlimits] = rlimits[k].resource;
		s->rlim_soft[s->nrlimits] = json_integer_value(json_object_get(rl, "soft"));
		s->rlim_hard[s->nrlimits++] = json_integer_value(json_object_get(rl, "hard"));
	}
	if (json_is_integer(json_object_get(p, "oomScoreAdj"))) {
		s->has_oom_score_adj = true;
		s->oom_score_adj = (int)json_integer_value(json_object_get(p, "oomScoreAdj"));
	}
	/* noNewPrivileges: tdg sets it in every container (security.h). */
	return 0;
}

static int parse_linux(json_t *l, struct oci_spec *s)
{
	static const char *const keys[] = {
		"namespaces", "resources", "cgroupsPath", "sysctl", "seccomp", "maskedPaths",
		"readonlyPaths", "rootfsPropagation", "uidMappings", "gidMappings", "devices",
		"mountLabel", NULL};
	if (!json_is_object(l))
		return fail_with(CFG "linux: missing");
	if (known_keys(l, "linux.", keys) < 0 || must_be_empty(l, "uidMappings", "linux.") < 0 ||
	    must_be_empty(l, "gidMappings", "linux.") < 0 ||
	    must_be_empty(l, "devices", "linux.") < 0 ||
	    must_be_empty(l, "mountLabel", "linux.") < 0)
		return -1;
	const char *prop = json_string_value(json_object_get(l, "rootfsPropagation"));
	if (prop && *prop && strcmp(prop, "private") != 0 && strcmp(prop, "rprivate") != 0)
		return fail_with(CFG "linux.rootfsPropagation '%s': tdg's mounts are always "
				     "private", prop);
	if (parse_namespaces(json_object_get(l, "namespaces"), s) < 0)
		return -1;
	json_t *r = json_object_get(l, "resources");
	if (r && parse_resources(r, s) < 0)
		return -1;
	s->cgroups_path = json_string_value(json_object_get(l, "cgroupsPath"));
	if (s->cgroups_path && (strchr(s->cgroups_path, ':') || strstr(s->cgroups_path, "..")))
		return fail_with(CFG "linux.cgroupsPath '%s': not a cgroupfs path; tdg does not "
				     "support systemd's slice:prefix:name form (run podman with "
				     "--cgroup-manager=cgroupfs)", s->cgroups_path);
	/* linux.seccomp: tdg loads its own filter, Docker's default profile's
	 * rules (syscalls.h), whatever the bundle's profile says. */
	if (path_list(json_object_get(l, "maskedPaths"), "linux.maskedPaths", s->masked,
		      &s->nmasked) < 0 ||
	    path_list(json_object_get(l, "readonlyPaths"), "linux.readonlyPaths",
		      s->readonly_paths, &s->nreadonly) < 0)
		return -1;
	return parse_sysctl(json_object_get(l, "sysctl"), s);
}

/* Hooks run on the host, by tdg (oci.c): prestart and createRuntime once
 * the container is made, poststart after start, poststop at delete. The
 * two that run inside the container's namespaces are not supported. */
static int parse_hooks(json_t *h, struct oci_spec *s)
{
	static const char *const keys[] = {"prestart", "createRuntime", "poststart", "poststop",
					   "createContainer", "startContainer", NULL};
	if (!h)
		return 0;
	if (!json_is_object(h) || known_keys(h, "hooks.", keys) < 0 ||
	    must_be_empty(h, "createContainer", "hooks.") < 0 ||
	    must_be_empty(h, "startContainer", "hooks.") < 0)
		return h && !json_is_object(h) ? fail_with(CFG "hooks: not an object") : -1;
	const char *kind;
	json_t *list, *hook;
	size_t i;
	json_object_foreach(h, kind, list)
		json_array_foreach(list, i, hook) {
			const char *path = json_string_value(json_object_get(hook, "path"));
			if (!path || path[0] != '/')
				return fail_with(CFG "hooks.%s[%zu].path: not an absolute path", kind, i);
		}
	s->hooks = h;
	return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec *s)
{
	static const char *const keys[] = {"ociVersion", "process", "root", "hostname",
					   "mounts", "linux", "annotations", "hooks",
					   "domainname", NULL};
	char path[PATH_MAX];
	json_error_t err;
	memset(s, 0, sizeof *s);
	snprintf(path, sizeof path, "%s/config.json", bundle);
	s->json = json_load_file(path, 0, &err);
	if (!s->json)
		return fail_with("%s: %s", path, err.text);
	json_t *j = s->json;
	if (known_keys(j, "", keys) < 0 || parse_hooks(json_object_get(j, "hooks"), s) < 0 ||
	    must_be_empty(j, "domainname", "") < 0)
		goto fail;
	json_t *root = json_object_get(j, "root");
	const char *rp = json_string_value(json_object_get(root, "path"));
	if (!rp)
		rp = "rootfs"; /* the spec's example; `runc spec` writes it */
	if (rp[0] == '/')
		snprintf(s->root, sizeof s->root, "%s", rp);
	else
		snprintf(s->root, sizeof s->root, "%s/%s", bundle, rp);
	s->readonly = json_is_true(json_object_get(root, "readonly"));
	s->hostname = json_string_value(json_object_get(j, "hostname"));
	if (parse_process(json_object_get(j, "process"), s) < 0 ||
	    parse_linux(json_object_get(j, "linux"), s) < 0)
		goto fail;
	if (s->hostname && *s->hostname && !(s->clone_flags & CLONE_NEWUTS)) {
		fail_with(CFG "hostname: needs a new uts namespace");
		goto fail;
	}
	json_t *mounts = json_object_get(j, "mounts");
	size_t i;
	json_t *m;
	if (json_array_size(mounts) > OCI_MAX) {
		fail_with(CFG "mounts: more than %d", OCI_MAX);
		goto fail;
	}
	json_array_foreach(mounts, i, m)
		if (parse_mount(m, i, &s->mounts[s->nmounts++]) < 0)
			goto fail;
	return 0;
fail:
	oci_spec_free(s);
	return -1;
}

int oci_process_load(const char *file, struct oci_spec *s)
{
	json_error_t err;
	memset(s, 0, sizeof *s);
	s->json = json_load_file(file, 0, &err);
	if (!s->json)
		return fail_with("%s: %s", file, err.text);
	if (parse_process(s->json, s) < 0) {
		oci_spec_free(s);
		return -1;
	}
	return 0;
}

void oci_spec_free(struct oci_spec *s)
{
	free(s->args);
	free(s->env);
	json_decref(s->json);
	memset(s, 0, sizeof *s);
}

int oci_signal_number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && strcasecmp(abbrev, s) == 0)
			return i;
	}
	return -1;
}
