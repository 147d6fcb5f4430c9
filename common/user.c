/* user.c — see user.h.                                               (day 10) */
#include "user.h"
#include "fail.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 64 /* supplementary groups, at most */

/* A name as useradd(8) accepts one, or a number. */
static bool word_valid(const char *s, size_t n)
{
	if (n == 0 || n >= sizeof ((struct user *)0)->name)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr("_.-", s[i]) &&
		    !(s[i] == '$' && i == n - 1))
			return false;
	return s[0] != '-';
}

/* S as a uid or gid if it is all digits (below 2^32 - 1, which means
 * "none" to the kernel); -1 if it is a name or too large. */
static long long number(const char *s)
{
	char *end;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	return errno || v >= 0xffffffffULL ? -2 : (long long)v;
}

int user_parse(const char *spec, struct user *u)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	*u = (struct user){0};
	if (!word_valid(spec, n) || (colon && !word_valid(colon + 1, strlen(colon + 1))))
		return fail_with("not USER[:GROUP] (names of letters, digits, '_', '.', "
				 "'-', or numbers)");
	memcpy(u->name, spec, n);
	if (colon)
		strcpy(u->group, colon + 1);
	if (number(u->name) == -2 || (colon && number(u->group) == -2))
		return fail_with("a uid or gid must be below 4294967295");
	return 0;
}

/* The line of /etc/passwd whose name (or, for digits, uid) is WHO, into
 * *OUT (its strings stay in fgetpwent()'s static buffer, but its home is
 * copied into HOME). 1 found, 0 not, -1 if the file cannot be read (a
 * missing file is "not found"). */
static int find_passwd(const char *who, struct passwd *out, char *home, size_t size)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	long long id = number(who);
	int found = 0;
	if (!f)
		return errno == ENOENT ? 0 : fail_with("-u: /etc/passwd: %m");
	while (!found && (pw = fgetpwent(f)))
		if (id >= 0 ? pw->pw_uid == (uid_t)id : strcmp(pw->pw_name, who) == 0) {
			*out = *pw;
			snprintf(home, size, "%s", pw->pw_dir);
			out->pw_dir = home;
			found = 1;
		}
	fclose(f);
	return found;
}

/* Walk /etc/group: the gid of GROUP (a name; digits are taken as they
 * are) into *GID, and, if MEMBER is given, the gids of the groups that
 * list it into GIDS. 1 if GROUP was found (or not asked for), 0 if not. */
static int scan_groups(const char *group, gid_t *gid, const char *member,
		       gid_t *gids, int *ngids)
{
	FILE *f = fopen("/etc/group", "re");
	struct group *gr;
	int found = !group;
	if (!f)
		return found;
	while ((gr = fgetgrent(f))) {
		if (group && strcmp(gr->gr_name, group) == 0) {
			*gid = gr->gr_gid;
			found = 1;
		}
		for (char **m = gr->gr_mem; member && *m; m++)
			if (strcmp(*m, member) == 0 && *ngids < MAX_GROUPS)
				gids[(*ngids)++] = gr->gr_gid;
	}
	fclose(f);
	return found;
}

int user_switch(const struct user *u)
{
	if (!u->name[0])
		return 0;
	struct passwd pw = {0};
	char home[4096] = "/";
	gid_t gids[MAX_GROUPS];
	int ngids = 0, found = find_passwd(u->name, &pw, home, sizeof home);
	long long uid = number(u->name);
	if (found < 0)
		return -1;
	if (!found && uid < 0)
		return fail_with("-u '%s': no such user in the container's /etc/passwd",
				 u->name);
	if (!found) { /* a bare number: Docker's defaults */
		pw.pw_uid = (uid_t)uid;
		pw.pw_gid = 0;
	}
	gid_t gid = pw.pw_gid;
	if (u->group[0] && number(u->group) >= 0)
		gid = (gid_t)number(u->group);
	else if (u->group[0] && !scan_groups(u->group, &gid, NULL, NULL, NULL))
		return fail_with("-u '%s:%s': no such group in the container's /etc/group",
				 u->name, u->group);
	/* Without a GROUP, the user's groups as /etc/group lists them; with
	 * one, that group alone (as runc does). */
	if (!u->group[0] && found)
		scan_groups(NULL, NULL, pw.pw_name, gids, &ngids);
	/* Groups first: once the uid is not 0, CAP_SETGID is gone. */
	if (setgroups((size_t)ngids, gids) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0)
		return fail_with("-u '%s': become uid %u gid %u: %m", u->name,
				 (unsigned)pw.pw_uid, (unsigned)gid);
	setenv("HOME", home, 1);
	if (found)
		setenv("USER", pw.pw_name, 1);
	return 0;
}
