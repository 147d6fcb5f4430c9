/* user.h — `run -u USER[:GROUP]`: whom the command runs as.          (day 10)
 *
 * Names mean what the container says they mean, never what the host says:
 * "www" is looked up in the container's own /etc/passwd and /etc/group
 * (its rootfs, or a file bound over them with -v), after the pivot, with
 * fgetpwent()/fgetgrent(), which read one given file and never ask the
 * host's NSS (LDAP, systemd's users). Numbers need no file: `-u 1000`
 * runs as uid 1000 even if no line names it, as in Docker.
 *
 * The switch comes last, after security.h's layers: dropping capabilities
 * and loading the filter need root's capabilities, and a uid other than 0
 * loses them all (man 7 capabilities: "effective, permitted cleared on a
 * setuid from 0"), which is what a non-root user should have. */
#ifndef TDG_USER_H
#define TDG_USER_H

#include <stdbool.h>

struct user {
	char name[64];	/* a name, or the uid as digits; "" if -u was not given */
	char group[64]; /* a name, digits, or "" (then the user's own group) */
};

/* Check the syntax of SPEC (USER, USER:GROUP; names or numbers) into U;
 * -1 with the reason recorded. No file is read: the names exist only in
 * the container. */
int user_parse(const char *spec, struct user *u);

/* In the container, after security_enter(): look U up in /etc/passwd and
 * /etc/group, then setgroups (the groups that list the user as a member,
 * unless GROUP was given), setgid, setuid, and HOME from the passwd line.
 * 0 (nothing to do if U is unset), or -1 with the reason recorded
 * ("-u 'www': no such user in the container's /etc/passwd"). */
int user_switch(const struct user *u);

#endif
