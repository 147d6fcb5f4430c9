/* fuzz_seccomp.c — a bundle's seccomp profile, linux.seccomp (day 10, the
 * OCI runtime; common/seccomp_profile.c): the input is the JSON object, as
 * Docker or podman would write it, or anyone who can hand tdg a bundle.
 * It is only built and checked (create's check), never loaded: a refusal
 * must say why; no input may crash libseccomp's builder or leak it. */
#include "fuzz.h"
#include "seccomp_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	fail_last.msg[0] = '\0';
	if (seccomp_profile(j, false) != 0)
		check(fail_last.msg[0] != '\0', "a profile refused without a reason");
	json_decref(j);
	return 0;
}
