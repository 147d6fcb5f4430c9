/* fuzz_psfilter.c — psfilter_add(): `ps --filter KEY=VALUE` (day 10).
 * Accepted: one more value of exactly one key, matching then a record
 * that has the value (status, id) without a crash; refused: a reason, no
 * count changed and nothing left allocated (LeakSanitizer: a regular
 * expression that did not compile is not kept). */
#include "fuzz.h"
#include "psfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct psfilter f = {0};
	if (psfilter_add(&f, s) == 0) {
		check(f.nstatus + f.nname + f.nid + f.nexited == 1, "\"%s\": %d values", s,
		      f.nstatus + f.nname + f.nid + f.nexited);
		json_t *c = json_pack("{s:s, s:s, s:s, s:i}", "id", "0123456789ab", "name", "web",
				      "status", "exited", "exit_code", 3);
		psfilter_match(&f, c);
		json_decref(c);
	} else {
		check_reason(s);
		check(f.nstatus + f.nname + f.nid + f.nexited == 0, "\"%s\" refused, kept", s);
	}
	psfilter_free(&f);
	free(s);
	return 0;
}
