/* fuzz_resolve.c — state_find() (day 04): what
 * `tdg stop/rm/logs/inspect/exec REF` make of REF. Against a TDG_ROOT with
 * fixed containers (one named like another's id, one named like a prefix
 * of another's id, one with a corrupt config.json, one with none, a folder
 * that is no id), the answer must be exactly the contract's: a full id
 * first, then a --name, then a unique id prefix; else a refusal with a
 * reason. So an answer is always a container that exists. */
#define TDG_FUZZ_STATE
#include "fuzz.h"
#include "fail.h"
#include "id.h"

#include <sys/stat.h>

static const char *const ids[] = {"0123456789ab", "0123456789cd", "fedcba987654",
				  "abcdefabcdef", "aaaaaaaaaaaa", "bbbbbbbbbbbb"};
static const char *const names[] = {"web", "db", "0123456789cd", "fed", NULL, NULL};
#define N (sizeof ids / sizeof ids[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char path[8192];
	fuzz_make_root();
	for (size_t i = 0; i < 4; i++)
		fuzz_add(ids[i], names[i]);
	/* aaaaaaaaaaaa: corrupt; bbbbbbbbbbbb: no config.json; notanid: ignored */
	snprintf(path, sizeof path, "%s/containers/aaaaaaaaaaaa", fuzz_root);
	mkdir(path, 0700);
	strcat(path, "/config.json");
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs("{\"id\": \"aaaaaaaaaaaa\", \"name\": \"corrupt\"", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/containers/bbbbbbbbbbbb", fuzz_root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/containers/notanid", fuzz_root);
	mkdir(path, 0700);
	return 0;
}

/* The contract's answer for REF, or NULL. */
static const char *expected(const char *ref)
{
	size_t len = strlen(ref), hits = 0;
	const char *hit = NULL;
	if (len == 0)
		return NULL;
	for (size_t i = 0; i < N; i++)
		if (strcmp(ids[i], ref) == 0)
			return ids[i];
	for (size_t i = 0; i < N; i++)
		if (names[i] && strcmp(names[i], ref) == 0)
			return ids[i];
	for (size_t i = 0; i < N; i++)
		if (strncmp(ids[i], ref, len) == 0)
			hits++, hit = ids[i];
	return hits == 1 ? hit : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ref = fuzz_string(data, size), id[TDG_ID_LEN + 1] = "";
	const char *want = expected(ref);
	if (state_find(ref, id) == 0) {
		check(want && strcmp(id, want) == 0, "\"%s\" resolved to %s, not %s", ref, id,
		      want ? want : "nothing");
	} else {
		check(!want, "\"%s\" refused (%s), but it is %s", ref, fail_last.msg, want);
		check_reason(ref);
	}
	free(ref);
	return 0;
}
