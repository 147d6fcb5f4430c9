/* psfilter.c — see psfilter.h.                                       (day 10) */
#include "psfilter.h"
#include "fail.h"
#include "state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"created", "restarting", "running", "removing",
				       "paused",  "exited",	"dead",	   NULL};

int psfilter_add(struct psfilter *f, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return fail_with("'%s': not KEY=VALUE", kv);
	size_t klen = (size_t)(eq - kv);
	const char *v = eq + 1;
	char *end;
#define KEY(k) (klen == strlen(k) && strncmp(kv, k, klen) == 0)
	if ((KEY("status") && f->nstatus == PSFILTER_MAX) ||
	    (KEY("name") && f->nname == PSFILTER_MAX) || (KEY("id") && f->nid == PSFILTER_MAX) ||
	    (KEY("exited") && f->nexited == PSFILTER_MAX))
		return fail_with("'%s': more than %d values of one filter", kv, PSFILTER_MAX);
	if (KEY("status")) {
		for (int i = 0; statuses[i]; i++)
			if (strcmp(v, statuses[i]) == 0) {
				f->status[f->nstatus++] = statuses[i];
				return 0;
			}
		return fail_with("'%s': not a status (created, restarting, running, removing, "
				 "paused, exited, dead)", kv);
	}
	if (KEY("name")) {
		/* glibc's regcomp() expands a{m,n} and a+ into copies of what
		 * they repeat, so a{99}{99}{99}, or a+ stacked or nested fifty
		 * times, takes minutes and gigabytes (the fuzzer found it):
		 * names are short, and a few operators say enough. */
		size_t ops = 0;
		bool stacked = false;
		for (const char *p = v; *p; p++)
			if (strchr("*+?", *p) && *p) {
				ops++;
				stacked = stacked || (p > v && strchr("*+?", p[-1]));
			}
		if (strchr(v, '{') || strlen(v) > 256 || ops > 4 || stacked)
			return fail_with("'%s': a name filter is an extended regular expression "
					 "of at most 256 characters, 4 of * + ? (none right after "
					 "another), no {m,n}", kv);
		int rc = regcomp(&f->name[f->nname], v, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[128];
			regerror(rc, &f->name[f->nname], why, sizeof why);
			return fail_with("'%s': %s", kv, why);
		}
		f->nname++;
		return 0;
	}
	if (KEY("id")) {
		if (!*v || strspn(v, "0123456789abcdef") != strlen(v))
			return fail_with("'%s': an id is hexadecimal digits", kv);
		f->id[f->nid++] = v;
		return 0;
	}
	if (KEY("exited")) {
		errno = 0;
		long long n = strtoll(v, &end, 10);
		if (errno || end == v || *end || n < 0 || n > 255)
			return fail_with("'%s': an exit status is a number 0-255", kv);
		f->exited[f->nexited++] = n;
		return 0;
	}
#undef KEY
	return fail_with("'%s': no such filter; tdg has status, name, id, exited", kv);
}

bool psfilter_match(const struct psfilter *f, json_t *c)
{
	const char *status = state_str(c, "status"), *name = state_str(c, "name"),
		   *id = state_str(c, "id");
	long long code = json_is_integer(json_object_get(c, "exit_code"))
				 ? state_int(c, "exit_code") : -1;
	bool ok;
	int i;
	/* Each key: any of its values (none given: no condition). */
	for (ok = !f->nstatus, i = 0; !ok && i < f->nstatus; i++)
		ok = strcmp(status, f->status[i]) == 0;
	if (!ok)
		return false;
	for (ok = !f->nname, i = 0; !ok && i < f->nname; i++)
		ok = *name && regexec(&f->name[i], name, 0, NULL, 0) == 0;
	if (!ok)
		return false;
	for (ok = !f->nid, i = 0; !ok && i < f->nid; i++)
		ok = strncmp(id, f->id[i], strlen(f->id[i])) == 0;
	if (!ok)
		return false;
	for (ok = !f->nexited, i = 0; !ok && i < f->nexited; i++)
		ok = strcmp(status, "exited") == 0 && code == f->exited[i];
	return ok;
}

void psfilter_free(struct psfilter *f)
{
	for (int i = 0; i < f->nname; i++)
		regfree(&f->name[i]);
	f->nname = 0;
}
