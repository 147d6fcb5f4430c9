/* caps.c — see caps.h.                                               (day 10) */
#include "caps.h"
#include "fail.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/capability.h>

static const cap_value_t keep[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,	 CAP_FOWNER,
	CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,	 CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_KILL,    CAP_AUDIT_WRITE,
};
#define NKEEP ((int)(sizeof keep / sizeof keep[0]))

static bool kept(cap_value_t c)
{
	for (int i = 0; i < NKEEP; i++)
		if (keep[i] == c)
			return true;
	return false;
}

int caps_drop_to_default(void)
{
	/* LAB(10c.3): keep only Docker's 14 capabilities (KEEP): drop every
	 * other one from the bounding set, set effective and permitted to KEEP
	 * with inheritable empty, and clear the ambient set.
	 * HINT: man 7 capabilities, man 3 cap_drop_bound, cap_set_proc,
	 * cap_reset_ambient. The bounding set first: dropping from it needs
	 * CAP_SETPCAP in the effective set. Loop to cap_max_bits() (what the
	 * running kernel knows), not CAP_LAST_CAP (what libcap was built with).
	 * Inheritable empty: CVE-2022-24769. Until written the stub does
	 * nothing, and the container's root has all of root's capabilities.
	 * STUB: return warn_todo("10c.3"); */
	/* The bounding set first: dropping from it takes CAP_SETPCAP in the
	 * effective set, which cap_set_proc() below would already have
	 * narrowed. cap_max_bits() is what the running kernel knows (it may
	 * know capabilities newer than this libcap's names): every one of
	 * them goes, not only those we can spell. */
	for (cap_value_t c = 0; c < cap_max_bits(); c++) {
		if (kept(c) || cap_drop_bound(c) == 0)
			continue;
		int err = errno;
		char *name = cap_to_name(c); /* libcap's: cap_free() it */
		errno = err;
		fail_with("capabilities: drop %s from the bounding set: %m", name);
		cap_free(name);
		return -1;
	}

	/* Inheritable stays empty, as since Docker 20.10.14 (CVE-2022-24769):
	 * a non-empty one let a program with inheritable file capabilities
	 * gain them on exec. */
	cap_t caps = cap_init(); /* all three sets empty */
	if (!caps)
		return fail_with("capabilities: %m");
	if (cap_set_flag(caps, CAP_EFFECTIVE, NKEEP, keep, CAP_SET) != 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, NKEEP, keep, CAP_SET) != 0 ||
	    cap_set_proc(caps) != 0) {
		fail_with("capabilities: set: %m");
		cap_free(caps);
		return -1;
	}
	cap_free(caps);
	/* Ambient capabilities survive exec even for a non-root program;
	 * nobody set any, but a container must not depend on that. */
	if (cap_reset_ambient() != 0)
		return fail_with("capabilities: clear the ambient set: %m");
	/* END LAB */
	return 0;
}

int caps_bound_to_names(const char *const names[], size_t n, int keep_setuid)
{
	cap_value_t want[64];
	if (n > 64)
		return fail_with("capabilities: more than 64 named");
	for (size_t i = 0; i < n; i++)
		if (cap_from_name(names[i], &want[i]) != 0)
			return fail_with("capabilities: %s: not a capability libcap knows", names[i]);
	cap_t caps = cap_get_proc();
	if (!caps)
		return fail_with("capabilities: %m");
	/* The bounding set first, while CAP_SETPCAP is still effective. */
	for (cap_value_t c = 0; c < cap_max_bits(); c++) {
		bool keep = false;
		for (size_t i = 0; i < n && !keep; i++)
			keep = want[i] == c;
		if (keep)
			continue;
		if (CAP_IS_SUPPORTED(c) && cap_drop_bound(c) != 0 && errno != EINVAL) {
			fail_with("capabilities: drop %d from the bounding set: %m", c);
			cap_free(caps);
			return -1;
		}
		if (keep_setuid && c == CAP_SETUID)
			continue;
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_CLEAR);
		cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_CLEAR);
	}
	int r = cap_set_proc(caps);
	cap_free(caps);
	return r == 0 ? 0 : fail_with("capabilities: set: %m");
}
