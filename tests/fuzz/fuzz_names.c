/* fuzz_names.c — id_valid() and id_name_valid() (day 04: ids, --name) and
 * ns_hostname_valid() (day 02: --hostname), each against the same rule
 * written as a POSIX regular expression plus its length limit: the two
 * must agree on every input. */
#include "fuzz.h"
#include "id.h"
#include "ns.h"

#include <regex.h>

static regex_t id_re, name_re, host_re;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (regcomp(&id_re, "^[0-9a-f]{12}$", REG_EXTENDED | REG_NOSUB) ||
	    regcomp(&name_re, "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", REG_EXTENDED | REG_NOSUB) ||
	    regcomp(&host_re,
		    "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",
		    REG_EXTENDED | REG_NOSUB))
		abort();
	return 0;
}

/* No label longer than 63 bytes. */
static int labels_fit(const char *s)
{
	for (const char *p = s;; p++) {
		size_t n = strcspn(p, ".");
		if (n > 63)
			return 0;
		p += n;
		if (!*p)
			return 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	size_t n = strlen(s);
	int want_id = regexec(&id_re, s, 0, NULL, 0) == 0;
	int want_name = regexec(&name_re, s, 0, NULL, 0) == 0;
	int want_host = n <= 64 && labels_fit(s) && regexec(&host_re, s, 0, NULL, 0) == 0;
	check(id_valid(s) == want_id, "id_valid(\"%s\") is %d", s, !want_id);
	check(id_name_valid(s) == want_name, "id_name_valid(\"%s\") is %d", s, !want_name);
	check(ns_hostname_valid(s) == want_host, "ns_hostname_valid(\"%s\") is %d", s, !want_host);
	free(s);
	return 0;
}
