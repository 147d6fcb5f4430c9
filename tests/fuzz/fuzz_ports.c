/* fuzz_ports.c — ports_parse(): `-p HOST:CTR[/tcp|/udp]` (day 10), whose
 * result becomes iptables rules. Accepted: both ports 1..65535, tcp or
 * udp; ports_format() of it (what the metadata records, and what
 * ports_release() parses again) gives the same port back. */
#include "fuzz.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), back[32];
	struct port p, again;
	if (ports_parse(s, &p) == 0) {
		check(p.host >= 1 && p.ctr >= 1, "\"%s\" gave %u:%u", s, p.host, p.ctr);
		check(strcmp(p.proto, "tcp") == 0 || strcmp(p.proto, "udp") == 0,
		      "\"%s\" gave protocol \"%.4s\"", s, p.proto);
		check(strspn(s, "0123456789:/tcpud") == strlen(s), "\"%s\" accepted", s);
		ports_format(&p, back, sizeof back);
		check(ports_parse(back, &again) == 0 && again.host == p.host &&
			      again.ctr == p.ctr && strcmp(again.proto, p.proto) == 0,
		      "\"%s\" gave \"%s\", which does not parse back", s, back);
	} else {
		check_reason(s);
	}
	free(s);
	return 0;
}
