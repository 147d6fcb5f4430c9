/* envfile.c — see envfile.h.                                         (day 10) */
#include "envfile.h"
#include "fail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Add KV (the caller's malloc'd string) to the array. */
static int add(char ***vars, int *n, char *kv)
{
	char **grown = realloc(*vars, (size_t)(*n + 1) * sizeof *grown);
	if (!grown) {
		free(kv);
		return fail_with("out of memory");
	}
	grown[(*n)++] = kv;
	*vars = grown;
	return 0;
}

int envfile_read(const char *file, char ***vars, int *n)
{
	FILE *f = fopen(file, "re");
	char *line = NULL, *kv;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;
	if (!f)
		return fail_with("%m");
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		const char *key = line + strspn(line, " \t"); /* Docker trims the left */
		if (!*key || *key == '#')
			continue;
		size_t klen = strcspn(key, "=");
		if (klen == 0 || strcspn(key, " \t") < klen) {
			rc = fail_with("line %d: '%s': not KEY=VAL (the name is empty or "
				       "has a space)", lineno, key);
			break;
		}
		if (key[klen] == '=')
			kv = strdup(key);
		else if (getenv(key)) /* KEY alone: the host's value, if any */
			rc = asprintf(&kv, "%s=%s", key, getenv(key)) < 0 ? -1 : 0;
		else
			continue;
		if (rc != 0 || !kv)
			rc = fail_with("out of memory");
		else
			rc = add(vars, n, kv);
	}
	if (rc == 0 && ferror(f))
		rc = fail_with("%m");
	free(line);
	fclose(f);
	return rc;
}

void envfile_free(char **vars, int n)
{
	for (int i = 0; i < n; i++)
		free(vars[i]);
	free(vars);
}
