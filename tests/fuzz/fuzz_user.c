/* fuzz_user.c — user_parse(): `run -u USER[:GROUP]` (day 10). Accepted:
 * USER non-empty and without ':', GROUP without ':', the two together
 * exactly the input; both of letters, digits, '_', '.', '-' (a trailing
 * '$' allowed), not starting with '-'; a number below 2^32 - 1. Refused:
 * a reason. Nothing is looked up (the names exist only in a container). */
#include "fuzz.h"
#include "user.h"

static void check_word(const char *spec, const char *w)
{
	size_t n = strlen(w);
	check(n > 0 && w[0] != '-', "\"%s\" gave \"%s\"", spec, w);
	for (size_t i = 0; i < n; i++)
		check(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			     w[i]) || (w[i] == '$' && i == n - 1),
		      "\"%s\" gave \"%s\"", spec, w);
	if (strspn(w, "0123456789") == n)
		check(strtoull(w, NULL, 10) < 0xffffffffULL, "\"%s\" gave %s", spec, w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct user u;
	if (user_parse(s, &u) == 0) {
		check_word(s, u.name);
		if (u.group[0]) {
			check_word(s, u.group);
			check(strlen(u.name) + 1 + strlen(u.group) == strlen(s) &&
				      s[strlen(u.name)] == ':',
			      "\"%s\" gave \"%s\" \"%s\"", s, u.name, u.group);
		} else
			check(strcmp(u.name, s) == 0, "\"%s\" gave \"%s\"", s, u.name);
	} else
		check_reason(s);
	free(s);
	return 0;
}
