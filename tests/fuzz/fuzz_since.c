/* fuzz_since.c — logs_parse_since(): `logs --since TIME` (day 10): an RFC
 * 3339 time, Unix seconds or a duration back from now. Accepted: a time
 * from 1970 on, nanoseconds in 0..999999999; a duration is never in the
 * future. Refused: a reason. UBSan would catch a double too large for
 * time_t ("1e400s"). */
#include "fuzz.h"
#include "logs.h"

#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct timespec t, before;
	clock_gettime(CLOCK_REALTIME, &before);
	if (logs_parse_since(s, &t) == 0) {
		check(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec <= 999999999,
		      "\"%s\" gave %lld.%09ld", s, (long long)t.tv_sec, t.tv_nsec);
		size_t n = strlen(s);
		if (n && (s[n - 1] == 's' || s[n - 1] == 'm' || s[n - 1] == 'h'))
			check(t.tv_sec <= before.tv_sec + 1, "duration \"%s\" is in the future", s);
	} else
		check_reason(s);
	free(s);
	return 0;
}
