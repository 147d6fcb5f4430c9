/* watcher.h — the process that stays with a running container.      (day 05)
 *
 * Like conmon beside Podman, the watcher is the container's parent for its
 * whole life: it holds the read ends of the container's stdout and stderr
 * pipes and appends everything to containers/<id>/container.log (copying it
 * to the terminal too for a foreground run), passes signals on, reaps the
 * container and records how it ended. For `run -d` it is a fork of tdg that
 * left the terminal's session; for a foreground run it is tdg itself. */
#ifndef TDG_WATCHER_H
#define TDG_WATCHER_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct watcher {
	int log;	    /* container.log, opened O_APPEND; -1 if not captured */
	int times;	    /* (day 10) container.times (logtimes.h), or -1 */
	char log_path[4096];
	int out[2], err[2]; /* the container's stdout and stderr pipes */
	int null;	    /* /dev/null, the stdin of a detached container */
	/* (day 10) -t: the master side of the container's pty (its output,
	 * relayed like the pipes'), and the fd whose input goes into it (-i). */
	int pty, in;
	bool tee;	    /* also copy the output to our own stdout/stderr */
	/* run -d only: */
	int exec_result[2]; /* child -> watcher: nothing if the exec happened
			     * (close-on-exec closes it), else its exit status */
	int ready[2];	    /* watcher -> tdg run: 0 "it runs", or that status */
};

/* Before clone. CAPTURE: send the output through the watcher into the log
 * (false for a foreground run on a terminal: the container then writes to
 * the terminal itself, so programs see a tty). DETACHED: stdin /dev/null
 * and no copy to the terminal. 0, or -1 with the failure recorded (and
 * nothing left open). */
int watcher_prepare(struct watcher *w, json_t *c, bool capture, bool detached);

/* In the container, first thing: put the pipes on fds 1 and 2 (and
 * /dev/null on 0 if detached), so even setup errors reach the log. */
void watcher_child_stdio(struct watcher *w);

/* In the container, when its setup failed before the exec (after it
 * printed its one line): for `run -d`, tell the watcher the status, 125,
 * which it passes on to tdg run. */
void watcher_child_failed(struct watcher *w);

/* For `run -d`, in tdg run after the fork: wait for the watcher's word.
 * Returns 0 when the command runs; its status when it failed before its
 * exec (what it said is then copied from container ID's log to our stderr,
 * as a foreground run would have shown it); -1 when the watcher died. */
int watcher_wait_started(struct watcher *w, const char *id);

/* For `run -d`, in the watcher once the container exists: learn whether
 * its exec happened, and tell tdg run. */
void watcher_tell_started(struct watcher *w);

/* For `run -d`, once the container runs: leave the terminal for good
 * (stdin and stdout /dev/null, our own warnings into the log). */
void watcher_detach(struct watcher *w);

/* After clone: relay the output and the signals until CHILD has ended
 * and its pipes are drained. Returns CHILD's waitpid() status. (Day 10:
 * with a pty, also our input into it and our window size onto it.) */
int watcher_run(struct watcher *w, pid_t child);

#endif
