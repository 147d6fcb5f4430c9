/* id.h — container ids and names.                                   (day 04)
 *
 * An id is 12 hex digits (48 bits) from the kernel's random source, like the
 * short form of Docker's. Users may refer to a container by its id, by any
 * unambiguous prefix of it, or by the --name they gave it. */
#ifndef TDG_ID_H
#define TDG_ID_H

#include <stdbool.h>

#define TDG_ID_LEN 12

/* Fill OUT (TDG_ID_LEN + 1 bytes) with a fresh random id; -1 if the
 * kernel gives no random bytes (getrandom fails: a seccomp filter). */
int id_new(char *out);

/* True if S is exactly TDG_ID_LEN lower-case hex digits. */
bool id_valid(const char *s);

/* Docker's rule for names: a letter or digit, then letters, digits, '_',
 * '.' or '-'; at most 63 characters. A name such as "db" also looks like
 * an id prefix: lookups try names first, as Docker does. */
bool id_name_valid(const char *s);

#endif
