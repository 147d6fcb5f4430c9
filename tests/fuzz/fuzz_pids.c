/* fuzz_pids.c — resources_parse_pids(): `--pids-limit N` (day 07).
 * Accepted: digits only, 1..4194304, and "%lld" of it parses back. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), back[32];
	long long pids = 0, again = 0;
	if (resources_parse_pids(s, &pids) == 0) {
		check(pids >= 1 && pids <= 4194304, "\"%s\" gave %lld", s, pids);
		check(strspn(s, "0123456789") == strlen(s), "\"%s\" accepted", s);
		snprintf(back, sizeof back, "%lld", pids);
		check(resources_parse_pids(back, &again) == 0 && again == pids,
		      "\"%s\" does not parse back", back);
	} else {
		check_reason(s);
	}
	free(s);
	return 0;
}
