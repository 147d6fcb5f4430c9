/* restart.c — see restart.h.                                         (day 10) */
#include "restart.h"
#include "fail.h"
#include "signals.h"
#include "state.h"
#include "timestamp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

static const char *const names[] = {"no", "on-failure", "always", "unless-stopped"};

int restart_parse(const char *spec, struct restart *r)
{
	*r = (struct restart){.policy = RESTART_NO};
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	for (int p = RESTART_NO; p <= RESTART_UNLESS_STOPPED; p++)
		if (strlen(names[p]) == len && strncmp(spec, names[p], len) == 0)
			r->policy = (enum restart_policy)p;
	if (r->policy == RESTART_NO && strcmp(spec, "no") != 0)
		return fail_with("not a restart policy (no, on-failure[:N], always, "
				 "unless-stopped)");
	if (!colon)
		return 0;
	if (r->policy != RESTART_ON_FAILURE)
		return fail_with("only on-failure takes a count (on-failure:N)");
	char *end;
	errno = 0;
	long n = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || colon[1] == '-' || colon[1] == '+' ||
	    n < 1 || n > 1000000)
		return fail_with("the count of on-failure:N is a number from 1 to 1000000");
	r->max = (int)n;
	return 0;
}

void restart_format(const struct restart *r, char *out, size_t size)
{
	if (r->policy == RESTART_ON_FAILURE && r->max > 0)
		snprintf(out, size, "on-failure:%d", r->max);
	else
		snprintf(out, size, "%s", names[r->policy]);
}

long restart_next_delay(long last_ms, long ran_ms)
{
	if (last_ms <= 0 || ran_ms >= RESTART_RESET_AFTER_MS)
		return RESTART_FIRST_DELAY_MS;
	return last_ms >= RESTART_MAX_DELAY_MS / 2 ? RESTART_MAX_DELAY_MS : last_ms * 2;
}

int restart_record(json_t *c, const struct restart *r)
{
	char text[32];
	restart_format(r, text, sizeof text);
	json_object_set_new(c, "restart_policy", json_string(text));
	json_object_set_new(c, "restart_count", json_integer(0));
	json_object_set_new(c, "restarting", json_false());
	static const char *const keys[] = {"restart_policy", "restart_count", "restarting", NULL};
	return state_record(c, keys);
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

void restart_began(struct restart *r)
{
	clock_gettime(CLOCK_MONOTONIC, &r->began);
}

bool restart_stop_requested(const char *id)
{
	json_t *c = state_load(id);
	bool stop = !c || json_is_true(json_object_get(c, "stop_requested"));
	json_decref(c); /* no record any more (rm -f): nothing to restart */
	return stop;
}

/* Does the policy want another start after STATUS? */
static bool wanted(const struct restart *r, int status)
{
	switch (r->policy) {
	case RESTART_ON_FAILURE:
		return status != 0 && (r->max == 0 || r->count < r->max);
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	default:
		return false;
	}
}

/* Wait MS milliseconds, unless a signal to end reaches us or ID's record
 * changes to say "stop" (inotify: each record replaces config.json, an
 * IN_MOVED_TO; a removed folder, IN_DELETE_SELF). 0 when the time is up,
 * -1 when asked to end. No polling: the kernel wakes us. */
static int back_off(const char *id, long ms)
{
	char dir[PATH_MAX];
	struct timespec from;
	int rc = 0, sfd = signals_fd(), in = inotify_init1(IN_CLOEXEC);
	clock_gettime(CLOCK_MONOTONIC, &from);
	if (state_path(dir, sizeof dir, id, NULL) < 0 || sfd < 0 || in < 0 ||
	    inotify_add_watch(in, dir, IN_MOVED_TO | IN_DELETE_SELF) < 0) {
		warn("restart: cannot wait for the back-off: %m; not restarting");
		rc = -1;
		goto out;
	}
	/* Watching before this look: a stop recorded in between is seen. */
	for (long left = ms; left > 0 && rc == 0; left = ms - ms_since(&from)) {
		if (restart_stop_requested(id)) {
			rc = -1;
			break;
		}
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = in, .events = POLLIN}};
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			break; /* only a bug makes poll fail: restart without waiting */
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == sizeof si &&
			    (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM ||
			     si.ssi_signo == SIGHUP || si.ssi_signo == SIGQUIT))
				rc = -1;
		}
		if (p[1].revents & POLLIN) {
			char ev[4096];
			if (read(in, ev, sizeof ev) < 0 && errno != EINTR)
				break;
		}
	}
	if (rc == 0 && restart_stop_requested(id))
		rc = -1;
out:
	if (sfd >= 0)
		close(sfd);
	if (in >= 0)
		close(in);
	return rc;
}

int restart_again(struct restart *r, json_t *c, int status, bool signalled)
{
	const char *id = state_str(c, "id");
	if (signalled || !wanted(r, status) || restart_stop_requested(id))
		return 0;
	r->delay_ms = restart_next_delay(r->delay_ms, ms_since(&r->began));
	/* What `ps` shows meanwhile: "restarting (1) 2 seconds ago". */
	char now[TDG_TIMESTAMP_LEN];
	timestamp_now(now);
	json_object_set_new(c, "restarting", json_true());
	json_object_set_new(c, "pid", json_integer(0));
	json_object_set_new(c, "exit_code", json_integer(status));
	json_object_set_new(c, "finished_at", json_string(now));
	static const char *const keys[] = {"restarting", "pid", "exit_code", "finished_at", NULL};
	if (state_record(c, keys) != 0) {
		warn("restart: %s; not restarting", fail_last.msg);
		return 0;
	}
	if (back_off(id, r->delay_ms) != 0)
		return 0;
	r->count++;
	return 1;
}

int restart_started(struct restart *r, json_t *c)
{
	json_object_set_new(c, "restarting", json_false());
	json_object_set_new(c, "restart_count", json_integer(r->count));
	static const char *const keys[] = {"restarting", "restart_count", NULL};
	if (state_record(c, keys) != 0)
		return -1;
	/* A stop recorded before this run's pid was: it may have found no
	 * process to signal, and waits for an end only we can make. */
	return restart_stop_requested(state_str(c, "id")) ? -1 : 0;
}
