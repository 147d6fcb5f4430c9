/* logtimes.c — see logtimes.h.                                       (day 10) */
#include "logtimes.h"
#include "fail.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int logtimes_create(const char *id)
{
	char path[PATH_MAX];
	if (state_path(path, sizeof path, id, "container.times") < 0)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return fail_with("open %s: %m", path);
	return fd;
}

void logtimes_note(int times, int log)
{
	struct timespec now;
	char line[64];
	/* Only the watcher appends to the log, so its end now is where the
	 * chunk will start. Written before the chunk: a reader that sees the
	 * chunk's bytes can always find their time. */
	off_t off = lseek(log, 0, SEEK_END);
	clock_gettime(CLOCK_REALTIME, &now);
	int n = snprintf(line, sizeof line, "%lld %lld.%09ld\n", (long long)off,
			 (long long)now.tv_sec, now.tv_nsec);
	if (off >= 0 && write(times, line, (size_t)n) != n)
		return; /* see logtimes.h: the chunk takes the previous time */
}

void logtimes_refresh(struct logtimes *lt)
{
	long long off, sec;
	long nsec;
	char line[128];
	/* Whole lines only: one the watcher is writing right now is read
	 * again on the next call. */
	for (;;) {
		long pos = ftell(lt->f);
		if (!fgets(line, sizeof line, lt->f))
			break;
		if (!strchr(line, '\n')) {
			fseek(lt->f, pos, SEEK_SET);
			break;
		}
		if (sscanf(line, "%lld %lld.%ld", &off, &sec, &nsec) != 3)
			continue;
		if (lt->n == lt->cap) {
			size_t cap = lt->cap ? 2 * lt->cap : 256;
			struct logtime *v = realloc(lt->v, cap * sizeof *v);
			if (!v)
				break; /* the times of the rest are the last one's */
			lt->v = v, lt->cap = cap;
		}
		lt->v[lt->n++] = (struct logtime){off, {(time_t)sec, nsec}};
	}
	clearerr(lt->f); /* at EOF now; more may come (logs -f) */
}

int logtimes_open(const char *id, struct logtimes *lt)
{
	char path[PATH_MAX];
	*lt = (struct logtimes){0};
	if (state_path(path, sizeof path, id, "container.times") < 0)
		return -1;
	lt->f = fopen(path, "re");
	if (!lt->f)
		return errno == ENOENT ? 1 : fail_with("open %s: %m", path);
	logtimes_refresh(lt);
	return 0;
}

struct timespec logtimes_at(const struct logtimes *lt, off_t off)
{
	/* Binary search for the last chunk starting at or before OFF. */
	size_t lo = 0, hi = lt->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (lt->v[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lt->v[lo - 1].at : (struct timespec){0};
}

off_t logtimes_first_since(const struct logtimes *lt, struct timespec t, off_t log_size)
{
	for (size_t i = 0; i < lt->n; i++)
		if (lt->v[i].at.tv_sec > t.tv_sec ||
		    (lt->v[i].at.tv_sec == t.tv_sec && lt->v[i].at.tv_nsec >= t.tv_nsec))
			return lt->v[i].off;
	return log_size;
}

void logtimes_close(struct logtimes *lt)
{
	if (lt->f)
		fclose(lt->f);
	free(lt->v);
	*lt = (struct logtimes){0};
}
