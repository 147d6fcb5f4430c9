/* envfile.h — `run --env-file FILE`: many -e at once.                (day 10)
 *
 * Docker's format, read on the host: one KEY=VAL a line, taken as it is
 * (no quotes removed, no $ expanded, spaces kept in VAL); a line with KEY
 * alone takes the host's value (skipped if the host has none, as -e KEY
 * does); empty lines and lines starting with '#' are skipped. */
#ifndef TDG_ENVFILE_H
#define TDG_ENVFILE_H

/* Append FILE's variables to the malloc'd array *VARS of *N "KEY=VAL"
 * strings (growing it). 0, or -1 with the reason recorded ("line 3:
 * 'A B=1': the name has a space"). */
int envfile_read(const char *file, char ***vars, int *n);

/* Free what envfile_read() made: the N strings of VARS, and VARS. */
void envfile_free(char **vars, int n);

#endif
