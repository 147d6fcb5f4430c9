/* fuzz_volume.c — volume_parse(): `-v HOST:CTR[:ro|:rw]` (day 10). HOST is
 * resolved with realpath() on this machine (read only). Accepted: HOST
 * absolute, CTR non-empty, relative, without an empty, "." or ".."
 * component (the child joins it to the root folder: ".." would climb out
 * of it, onto the host); read-only exactly when the spec ends in ":ro".
 * Refused: a reason, and nothing allocated (LeakSanitizer checks). */
#include "fuzz.h"
#include "volume.h"

#include <limits.h>

static void check_ctr(const char *spec, const char *ctr)
{
	check(ctr[0] != '\0' && ctr[0] != '/', "\"%s\" gave CTR \"%s\"", spec, ctr);
	for (const char *p = ctr; *p;) {
		size_t n = strcspn(p, "/");
		check(n > 0 && !(n == 1 && p[0] == '.') && !(n == 2 && p[0] == '.' && p[1] == '.'),
		      "\"%s\" gave CTR \"%s\"", spec, ctr);
		p += n;
		if (*p == '/') {
			p++;
			check(*p != '\0', "\"%s\" gave CTR \"%s\" (trailing /)", spec, ctr);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct volume v;
	if (volume_parse(s, &v) == 0) {
		check(v.host && v.host[0] == '/', "\"%s\" gave HOST \"%s\"", s, v.host);
		check_ctr(s, v.ctr);
		size_t n = strlen(s);
		check(v.ro == (n >= 3 && strcmp(s + n - 3, ":ro") == 0), "\"%s\": ro is %d", s, v.ro);
		volume_free(&v);
	} else {
		check_reason(s);
		check(!v.host && !v.ctr, "\"%s\" refused but left memory", s);
	}
	free(s);
	return 0;
}
