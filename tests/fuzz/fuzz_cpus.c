/* fuzz_cpus.c — resources_parse_cpus(): `--cpus N` (day 07). The first
 * byte picks the host's CPU count (1..64), the rest is the value. Accepted:
 * a quota from 0.01 to NCPUS CPUs of CPU_PERIOD; printed back as a decimal
 * it gives the same quota. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int ncpus = data[0] % 64 + 1;
	char *s = fuzz_string(data + 1, size - 1), back[64];
	long long quota = 0, again = 0;
	if (resources_parse_cpus(s, ncpus, &quota) == 0) {
		check(quota >= CPU_PERIOD / 100 && quota <= ncpus * CPU_PERIOD,
		      "\"%s\" (%d CPUs) gave quota %lld", s, ncpus, quota);
		snprintf(back, sizeof back, "%lld.%05lld", quota / CPU_PERIOD, quota % CPU_PERIOD);
		check(resources_parse_cpus(back, ncpus, &again) == 0 &&
			      again == quota,
		      "\"%s\" gave %lld, \"%s\" gives %lld", s, quota, back, again);
	} else {
		check_reason(s);
	}
	free(s);
	return 0;
}
