/* psfilter.h — `ps --filter KEY=VALUE`, as Docker combines them.     (day 10)
 *
 *   status=S   created, restarting, running, removing, paused, exited, dead
 *              (tdg's containers are created, running or exited)
 *   name=RE    the name matches RE, an extended regular expression
 *              (unanchored: name=web matches "web" and "old-web-2"; at
 *              most 4 of * + ?, none right after another, and no {m,n}:
 *              glibc expands them into copies, exponentially when they
 *              are stacked or nested)
 *   id=PREFIX  the id starts with PREFIX
 *   exited=N   it exited with status N
 *
 * Several values of one key: any of them (status=created --filter
 * status=exited); different keys: all of them. A status filter lists the
 * exited ones without -a, as Docker's does. */
#ifndef TDG_PSFILTER_H
#define TDG_PSFILTER_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>

#define PSFILTER_MAX 16 /* values of one key, at most */

struct psfilter {
	const char *status[PSFILTER_MAX], *id[PSFILTER_MAX];
	int nstatus, nid;
	regex_t name[PSFILTER_MAX];
	int nname;
	long long exited[PSFILTER_MAX];
	int nexited;
};

/* Add "KEY=VALUE" to F (zeroed before the first). 0, or -1 with the
 * reason recorded ("'colour=red': no such filter; ..."). */
int psfilter_add(struct psfilter *f, const char *kv);

/* Does container C (its record, reconciled) pass F? */
bool psfilter_match(const struct psfilter *f, json_t *c);

void psfilter_free(struct psfilter *f);

#endif
