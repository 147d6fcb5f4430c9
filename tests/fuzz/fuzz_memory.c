/* fuzz_memory.c — resources_parse_memory(): `--memory SIZE` (day 07).
 * Accepted: from 1 byte to 9e18, the input digits with at most one '.' and
 * an optional b/k/m/g; "%lld" of the result parses back to it. */
#include "fuzz.h"
#include "resources.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), back[32];
	long long bytes = 0, again = 0;
	if (resources_parse_memory(s, &bytes) == 0) {
		check(bytes >= 1 && bytes <= 9000000000000000000LL, "\"%s\" gave %lld", s, bytes);
		check(isdigit((unsigned char)s[0]) || s[0] == '.', "\"%s\" accepted", s);
		snprintf(back, sizeof back, "%lld", bytes);
		/* Exact while a double holds the value exactly (2^53). */
		if (bytes <= (1LL << 53)) {
			check(resources_parse_memory(back, &again) == 0 &&
				      again == bytes,
			      "\"%s\" gave %lld, which parses as %lld", s, bytes, again);
		}
	} else {
		check_reason(s);
	}
	free(s);
	return 0;
}
