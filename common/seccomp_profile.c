/* seccomp_profile.c — see seccomp_profile.h.                          (day 10) */
#include "seccomp_profile.h"
#include "fail.h"
#include "oci_spec.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define WHERE "config.json: linux.seccomp."

/* An action's name to libseccomp's value, in *ACT. ERRNO and TRACE carry
 * a number: RET if given, else FALLBACK (EPERM for a rule, defaultErrnoRet
 * or EPERM for the default, as runc and crun read it). -1 if NAME is none
 * tdg knows (SCMP_ACT_NOTIFY needs a listener: not supported). A value
 * cannot say it: SCMP_ACT_KILL is 0. */
static int action(const char *name, json_t *ret, int fallback, uint32_t *act)
{
	int n = json_is_integer(ret) ? (int)json_integer_value(ret) : fallback;
	static const struct {
		const char *name;
		uint32_t act;
	} known[] = {
		{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
		{"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
		{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
		{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
		{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
		{"SCMP_ACT_LOG", SCMP_ACT_LOG},
	};
	if (!name)
		return -1;
	if (strcmp(name, "SCMP_ACT_ERRNO") == 0) {
		*act = SCMP_ACT_ERRNO((uint16_t)n);
		return 0;
	}
	if (strcmp(name, "SCMP_ACT_TRACE") == 0) {
		*act = SCMP_ACT_TRACE((uint16_t)n);
		return 0;
	}
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(name, known[i].name) == 0) {
			*act = known[i].act;
			return 0;
		}
	return -1;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* A value of args[]: an integer (jansson reads up to 2^63 - 1; a
 * negative one is its two's complement, as Go's uint64 would hold it), or
 * a whole number written as a real below 2^64. Absent: 0. */
static int datum(json_t *v, scmp_datum_t *out)
{
	double d = json_real_value(v);
	if (!v || json_is_integer(v))
		*out = (scmp_datum_t)json_integer_value(v);
	else if (json_is_real(v) && d >= 0 && d < 18446744073709551616.0 && d == (double)(scmp_datum_t)d)
		*out = (scmp_datum_t)d;
	else
		return -1;
	return 0;
}

/* args[]: every comparison must hold (AND). For MASKED_EQ, value is the
 * mask and valueTwo what the masked argument must equal. */
static int arg_rules(json_t *args, size_t i, struct scmp_arg_cmp *cmp, unsigned *n)
{
	size_t j;
	json_t *a;
	*n = 0;
	if (json_array_size(args) > 6)
		return fail_with(WHERE "syscalls[%zu].args: more than six", i);
	json_array_foreach(args, j, a) {
		const char *op = json_string_value(json_object_get(a, "op"));
		json_int_t index = json_integer_value(json_object_get(a, "index"));
		size_t k = 0;
		while (k < sizeof ops / sizeof ops[0] && (!op || strcmp(ops[k].name, op) != 0))
			k++;
		if (k == sizeof ops / sizeof ops[0])
			return fail_with(WHERE "syscalls[%zu].args[%zu].op '%s': not supported by tdg",
					 i, j, op ? op : "");
		if (index < 0 || index > 5)
			return fail_with(WHERE "syscalls[%zu].args[%zu].index: not 0 to 5", i, j);
		cmp[j] = (struct scmp_arg_cmp){.arg = (unsigned)index, .op = ops[k].op};
		if (datum(json_object_get(a, "value"), &cmp[j].datum_a) < 0 ||
		    datum(json_object_get(a, "valueTwo"), &cmp[j].datum_b) < 0)
			return fail_with(WHERE "syscalls[%zu].args[%zu]: a value that is not a "
					       "64-bit number", i, j);
		(*n)++;
	}
	return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64" -> its token. */
static int add_arch(scmp_filter_ctx ctx, const char *name, size_t i)
{
	char low[32];
	size_t k = 0;
	if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof low)
		return fail_with(WHERE "architectures[%zu]: not an SCMP_ARCH_ name", i);
	for (const char *p = name + 10; *p; p++)
		low[k++] = (char)tolower((unsigned char)*p);
	low[k] = '\0';
	uint32_t arch = seccomp_arch_resolve_name(low);
	if (!arch)
		return fail_with(WHERE "architectures[%zu] '%s': not known to libseccomp", i, name);
	int err = seccomp_arch_add(ctx, arch);
	if (err < 0 && err != -EEXIST) /* EEXIST: the native one, there already */
		return fail_with(WHERE "architectures[%zu] '%s': %s", i, name, strerror(-err));
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, json_t *rule, size_t i, uint32_t def)
{
	static const char *const keys[] = {"names", "action", "errnoRet", "args", NULL};
	const char *name = json_string_value(json_object_get(rule, "action"));
	uint32_t act;
	struct scmp_arg_cmp cmp[6];
	unsigned n;
	size_t j;
	json_t *sys;
	char where[64];
	snprintf(where, sizeof where, "linux.seccomp.syscalls[%zu].", i);
	if (oci_known_keys(rule, where, keys) < 0)
		return -1;
	if (action(name, json_object_get(rule, "errnoRet"), EPERM, &act) < 0)
		return fail_with(WHERE "syscalls[%zu].action '%s': not supported by tdg", i,
				 name ? name : "");
	if (arg_rules(json_object_get(rule, "args"), i, cmp, &n) < 0)
		return -1;
	/* A rule that says what the default says already: libseccomp
	 * refuses it (EACCES), and it changes nothing. */
	if (act == def)
		return 0;
	json_array_foreach(json_object_get(rule, "names"), j, sys) {
		if (!json_is_string(sys))
			return fail_with(WHERE "syscalls[%zu].names[%zu]: not a string", i, j);
		int nr = seccomp_syscall_resolve_name(json_string_value(sys));
		if (nr == __NR_SCMP_ERROR)
			continue; /* a call this libseccomp does not know */
		int err = seccomp_rule_add_array(ctx, act, nr, n, cmp);
		if (err < 0)
			return fail_with(WHERE "syscalls[%zu] %s: %s", i, json_string_value(sys),
					 strerror(-err));
	}
	return 0;
}

int seccomp_profile(json_t *p, bool load)
{
	const char *key;
	json_t *v;
	json_object_foreach(p, key, v) {
		if (strcmp(key, "flags") == 0 || strcmp(key, "listenerPath") == 0 ||
		    strcmp(key, "listenerMetadata") == 0) {
			if (json_array_size(v) == 0 && (!json_is_string(v) || !*json_string_value(v)))
				continue;
		} else if (strcmp(key, "defaultAction") == 0 || strcmp(key, "defaultErrnoRet") == 0 ||
			   strcmp(key, "architectures") == 0 || strcmp(key, "syscalls") == 0)
			continue;
		return fail_with(WHERE "%s: not supported by tdg", key);
	}
	int def_errno = json_is_integer(json_object_get(p, "defaultErrnoRet"))
				? (int)json_integer_value(json_object_get(p, "defaultErrnoRet"))
				: EPERM;
	const char *dname = json_string_value(json_object_get(p, "defaultAction"));
	uint32_t def;
	if (action(dname, NULL, def_errno, &def) < 0)
		return fail_with(WHERE "defaultAction '%s': not supported by tdg", dname ? dname : "");
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return fail_with("seccomp: init: out of memory");
	/* Docker's profile is ~350 rules: a binary tree, as syscalls.c's. */
	int err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	size_t i;
	json_t *e;
	if (err < 0) {
		fail_with("seccomp: binary tree: %s", strerror(-err));
		goto fail;
	}
	json_array_foreach(json_object_get(p, "architectures"), i, e)
		if (add_arch(ctx, json_string_value(e), i) < 0)
			goto fail;
	json_array_foreach(json_object_get(p, "syscalls"), i, e)
		if (add_rules(ctx, e, i, def) < 0)
			goto fail;
	if (load && (err = seccomp_load(ctx)) < 0) {
		fail_with("seccomp: load the bundle's filter: %s", strerror(-err));
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}
