/* fuzz.h — what every tests/fuzz/fuzz_<parser>.c target shares.
 *
 * A target is libFuzzer's LLVMFuzzerTestOneInput(): it gets bytes, makes a
 * C string of them (the parsers take what argv gives them: NUL-terminated,
 * so an input stops at its first NUL byte), calls one parser and checks
 * what must hold whatever the input: a refusal has a reason, an accepted
 * value is in range, parse(format(x)) gives x back. A broken invariant
 * abort()s, which libFuzzer reports as a crash with the input saved; so do
 * AddressSanitizer and UndefinedBehaviorSanitizer, which the targets are
 * built with (make fuzz), and a parser that calls die() (exit: libFuzzer
 * says "fuzz target exited"): parsers record a reason with fail_with() and
 * return -1 (fail.h); only a day's main() reports and exits. */
#ifndef TDG_FUZZ_H
#define TDG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "fail.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* DATA as a NUL-terminated string (malloc'd: ASan sees reads past it).
 * The failure record is emptied too: a reason found there after a refusal
 * is this input's, not one left by an earlier input. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	fail_last.msg[0] = '\0';
	return s;
}

#define check(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "invariant broken: %s: ", #cond);    \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

/* A refusal always says why: the parser recorded a reason (fail_last). */
#define check_reason(input)                                                  \
	check(fail_last.msg[0] != '\0', "\"%s\" refused without a reason", input)

#endif

#ifdef TDG_FUZZ_STATE
#include "state.h"

#include <ftw.h>

/* A TDG_ROOT of the target's own, under $TMPDIR (tests/fuzz/run.sh gives
 * each run a fresh one), removed when the fuzzer exits. */
static char fuzz_root[4096];

static int fuzz_remove_one(const char *path, const struct stat *st, int flag,
			   struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void fuzz_remove_root(void)
{
	nftw(fuzz_root, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_make_root(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(fuzz_root, sizeof fuzz_root, "%s/tdg-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fuzz_root))
		abort();
	setenv("TDG_ROOT", fuzz_root, 1);
	atexit(fuzz_remove_root);
	close(state_lock_all()); /* makes containers/ */
}

/* Record container ID named NAME (NULL: none) as tdg would. */
static inline void fuzz_add(const char *id, const char *name)
{
	json_t *c = json_pack("{s:s, s:o, s:[s], s:s, s:s}", "id", id, "name",
			      name ? json_string(name) : json_null(), "command", "/bin/sh",
			      "status", "exited", "created_at", "2026-12-01T10:00:00.000000Z");
	if (!c || state_create(c) != 0)
		abort();
	json_decref(c);
}
#endif
