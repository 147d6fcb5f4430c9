/* id.c — see id.h.                                                   (day 04) */
#include "id.h"
#include "fail.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int id_new(char *out)
{
	/* LAB(04.1): write a new id into OUT: TDG_ID_LEN (12) lowercase hex
	 * digits from 6 random bytes, NUL-terminated; if the kernel gives no
	 * randomness, fail_with("getrandom: %m").
	 * HINT: man 2 getrandom: flags 0 reads the kernel's CSPRNG (never rand(3),
	 * whose sequence repeats from its seed); printf's "%02x" is one byte. */
	unsigned char b[TDG_ID_LEN / 2];
	/* getrandom() blocks only until the kernel's pool is first seeded at
	 * boot, and never returns short for so few bytes. */
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return fail_with("getrandom: %m");
	for (size_t i = 0; i < sizeof b; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return 0;
	/* END LAB */
}

bool id_valid(const char *s)
{
	if (strlen(s) != TDG_ID_LEN)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

bool id_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}
