/* logs.h — reading a container's captured output.                   (day 05) */
#ifndef TDG_LOGS_H
#define TDG_LOGS_H

#include <stdbool.h>

/* Copy container ID's log to stdout. FOLLOW: then keep copying as it grows
 * (inotify tells when; no sleep loop) and return once the container has
 * exited and its watcher has written the last byte. Returns 0, or -1 with
 * the reason recorded (no log, stdout closed). */
int logs_print(const char *id, bool follow);

#endif
