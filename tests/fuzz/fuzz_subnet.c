/* fuzz_subnet.c — subnet_parse(): TDG_SUBNET (day 09). Accepted: a prefix
 * from 16 to 29, no host bits set, written with digits, dots and one '/'
 * only; "ADDR/PREFIX" of it parses back to the same subnet. */
#include "fuzz.h"
#include "lease.h"

#include <arpa/inet.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), ip[INET_ADDRSTRLEN], back[64];
	struct subnet sn, again;
	if (subnet_parse(s, &sn) == 0) {
		check(sn.prefix >= 16 && sn.prefix <= 29, "\"%s\" gave /%d", s, sn.prefix);
		uint32_t mask = htonl(~0u << (32 - sn.prefix));
		check((sn.net.s_addr & ~mask) == 0, "\"%s\" has host bits", s);
		check(strspn(s, "0123456789./") == strlen(s), "\"%s\" accepted", s);
		inet_ntop(AF_INET, &sn.net, ip, sizeof ip);
		snprintf(back, sizeof back, "%s/%d", ip, sn.prefix);
		check(subnet_parse(back, &again) == 0 &&
			      again.net.s_addr == sn.net.s_addr && again.prefix == sn.prefix,
		      "\"%s\" gave \"%s\", which does not parse back", s, back);
	} else {
		check_reason(s);
	}
	free(s);
	return 0;
}
