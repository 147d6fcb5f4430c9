/* watcher.c — see watcher.h.                                         (day 05) */
#include "watcher.h"
#include "container.h"
#include "fail.h"
#include "logtimes.h"
#include "signals.h"
#include "spawn.h"
#include "state.h"
#include "tty.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* Close every fd W holds and mark it -1 (each of them may be -1). */
static void close_fds(struct watcher *w)
{
	int *fds[] = {&w->log, &w->times, &w->out[0], &w->out[1], &w->err[0], &w->err[1], &w->null,
		      &w->exec_result[0], &w->exec_result[1], &w->ready[0], &w->ready[1]};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

int watcher_prepare(struct watcher *w, json_t *c, bool capture, bool detached)
{
	*w = (struct watcher){.log = -1, .times = -1, .out = {-1, -1}, .err = {-1, -1},
			      .null = -1, .pty = -1, .in = -1,
			      .tee = capture && !detached,
			      .exec_result = {-1, -1}, .ready = {-1, -1}};
	/* LAB(05.1): run -d only: open /dev/null (the detached container's stdin,
	 * and the watcher's stdout once it leaves the terminal) and make the two
	 * pipes of the start handshake, exec_result and ready.
	 * HINT: man 2 pipe2: O_CLOEXEC on every end, so an exec closes them
	 * (man 2 execve) and no program keeps a copy it has no use for
	 * STUB: if (detached) { fail_todo("05.1"); goto fail; } */
	if (detached && ((w->null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
			 pipe2(w->exec_result, O_CLOEXEC) != 0 ||
			 pipe2(w->ready, O_CLOEXEC) != 0)) {
		fail_with("run -d: %m");
		goto fail;
	}
	/* END LAB */
	if (!capture)
		return 0;
	if (state_path(w->log_path, sizeof w->log_path, state_str(c, "id"),
		       "container.log") < 0)
		goto fail;
	w->log = open(w->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (w->log < 0) {
		fail_with("open %s: %m", w->log_path);
		goto fail;
	}
	/* O_CLOEXEC on all four ends: the container gets copies on fds 1 and
	 * 2 (dup2 clears the flag on the copy) and no other fd of ours. */
	if (pipe2(w->out, O_CLOEXEC) != 0 || pipe2(w->err, O_CLOEXEC) != 0) {
		fail_with("pipe: %m");
		goto fail;
	}
	return 0;
fail:
	close_fds(w);
	return -1;
}

void watcher_child_stdio(struct watcher *w)
{
	/* A failed exec (126, 127) writes its status there; a successful
	 * one closes the pipe (close-on-exec); a failure before it,
	 * watcher_child_failed(). */
	if (w->exec_result[1] >= 0)
		spawn_report_failure_to(w->exec_result[1]);
	if (w->null >= 0)
		dup2(w->null, STDIN_FILENO);
	if (w->log >= 0) {
		dup2(w->out[1], STDOUT_FILENO);
		dup2(w->err[1], STDERR_FILENO);
	}
}

void watcher_child_failed(struct watcher *w)
{
	char b = TDG_EXIT_FAILED;
	if (w->exec_result[1] >= 0 && write(w->exec_result[1], &b, 1) != 1)
		return; /* the watcher is gone: nobody to tell */
}

/* Close every fd but 0-2 and the ones in KEEP (-1 ends the list). */
static void close_all_but(const int *keep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name), k;
		if (fd < 3 || fd == dirfd(d))
			continue;
		for (k = 0; keep[k] >= 0 && keep[k] != fd; k++)
			;
		if (keep[k] < 0)
			close(fd);
	}
	if (d)
		closedir(d);
}

int watcher_wait_started(struct watcher *w, const char *id)
{
	unsigned char b;
	/* Only the watcher and the container may hold these: our copies of
	 * the pipes' write ends would keep the watcher from ever seeing EOF. */
	int ours[] = {w->ready[1], w->exec_result[0], w->exec_result[1], w->out[0],
		      w->out[1], w->err[0], w->err[1], w->log, w->null, w->times};
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
		if (ours[i] >= 0)
			close(ours[i]);
	if (read(w->ready[0], &b, 1) != 1)
		return -1;
	if (b != 0) {
		/* LAB(05.3): the command failed before its exec: show what it said
		 * (its log) on our stderr, but only once its end is recorded.
		 * HINT: the watcher may still be copying the last bytes into the log;
		 * container_wait_exited() (container.h) waits without polling
		 * STUB: fail_todo("05.3"); warn("%s", fail_last.msg); */
		/* It failed before its exec: once the watcher has saved what
		 * it said and recorded the end, show it, as a foreground run
		 * would have. */
		char buf[4096];
		ssize_t n;
		/* Opened first: with run --rm (day 10), the end is also the
		 * removal of the log's folder. */
		int log = open(w->log_path, O_RDONLY | O_CLOEXEC);
		if (container_wait_exited(id, NULL, -1) < 0)
			warn("%s", fail_last.msg); /* show the log all the same */
		while (log >= 0 && (n = read(log, buf, sizeof buf)) > 0)
			if (write(STDERR_FILENO, buf, (size_t)n) != n)
				break;
		if (log >= 0)
			close(log);
		/* END LAB */
	}
	return b;
}

void watcher_tell_started(struct watcher *w)
{
	/* LAB(05.2): in the watcher: learn whether the container's exec happened
	 * (EOF on exec_result) or what status it failed with (one byte), and pass
	 * that one byte (0: it runs) on to tdg run through ready.
	 * HINT: man 2 read (0 = EOF); close our copy of exec_result's write end
	 * first, or EOF never comes; man 7 pipe
	 * STUB: fail_todo("05.2"); fail_report(); _exit(TDG_EXIT_FAILED); */
	char b = 0;
	close(w->ready[0]);
	close(w->exec_result[1]);
	/* EOF: close-on-exec closed the child's end, so the exec happened.
	 * A byte: the status it failed with before that. */
	if (read(w->exec_result[0], &b, 1) != 1)
		b = 0;
	close(w->exec_result[0]);
	if (write(w->ready[1], &b, 1) != 1)
		warn("cannot tell tdg run how the start went: %m");
	close(w->ready[1]);
	/* END LAB */
}

/* Our code and constants that setting up touched (argument parsing, JSON,
 * netlink...) stay counted in our resident memory for the container's whole
 * life. They are read-only mappings of our own binary, so dropping them is
 * safe: the few pages the watch loop needs fault back in from the page
 * cache. (Never on a writable mapping: that would throw away our data. Nor
 * on a read-only one with anonymous pages: in a dynamically linked or PIE
 * build the loader wrote relocated pointers there before making it read-
 * only (RELRO), and the file's copy has zeros: the next call through them
 * jumps to address 0. The ASan build, dynamic, found that.) */
static void shed_setup_pages(void)
{
	char exe[PATH_MAX], line[PATH_MAX + 128], path[PATH_MAX], perms[5];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	FILE *smaps = fopen("/proc/self/smaps", "re");
	unsigned long start = 0, end = 0, s, e, anon;
	bool ours = false;
	if (n <= 0 || !smaps) {
		if (smaps)
			fclose(smaps);
		return;
	}
	exe[n] = '\0';
	/* A mapping's line, then its fields ("Anonymous: 8 kB"; the "A" of
	 * which %lx reads: hence S and E, kept only for a mapping's line). */
	while (fgets(line, sizeof line, smaps)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %s", &s, &e, perms, path) >= 3) {
			start = s, end = e;
			ours = strcmp(path, exe) == 0 && perms[1] == '-';
		} else if (ours && sscanf(line, "Anonymous: %lu kB", &anon) == 1 && anon == 0)
			madvise((void *)start, end - start, MADV_DONTNEED);
	}
	fclose(smaps);
}

void watcher_detach(struct watcher *w)
{
	/* LAB(05.4): leave the terminal for good: /dev/null on stdin and stdout,
	 * the log on stderr; close every other fd we inherited (keep ours);
	 * shed the setup pages; leave the working directory.
	 * HINT: man 2 dup2; `id=$(tdg run -d ...)` waits until every copy of its
	 * pipe is closed, including one the shell left on fd 3 (close_all_but)
	 * STUB: fail_todo("05.4"); fail_report(); _exit(TDG_EXIT_FAILED); */
	dup2(w->null, STDIN_FILENO);
	dup2(w->null, STDOUT_FILENO);
	dup2(w->log, STDERR_FILENO); /* a warning of ours is worth keeping */
	/* What the shell that ran `tdg run -d` had open stays open in us for
	 * the container's whole life otherwise: `id=$(tdg run -d ...)` would
	 * wait on its pipe until the container ends. */
	int keep[] = {w->log, w->out[0], w->out[1], w->err[0],
		      w->err[1], w->null, w->times, w->pty, -1};
	close_all_but(keep);
	shed_setup_pages();
	/* Our working directory would keep its filesystem busy (unmountable)
	 * for as long as the container runs. */
	if (chdir("/") != 0)
		warn("chdir /: %m");
	/* END LAB */
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* a full disk or a closed terminal: keep going */
		buf += n;
		len -= (size_t)n;
	}
}

/* Move what is in pipe P to the log (and to TERM_FD); on EOF close it. */
static void relay(struct pollfd *p, struct watcher *w, int term_fd)
{
	static char buf[65536];
	ssize_t n = read(p->fd, buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) { /* every writer is gone: the container and its children */
		close(p->fd);
		p->fd = -1; /* poll() skips negative fds */
		return;
	}
	if (w->times >= 0) /* (day 10) when it came, for logs -t */
		logtimes_note(w->times, w->log);
	write_all(w->log, buf, (size_t)n);
	if (w->tee)
		write_all(term_fd, buf, (size_t)n);
}

/* Our input into the container's pty (-i with -t). Raw mode has no
 * end-of-file key, so EOF here is a hangup (the terminal went away): pass
 * it on the way a terminal does, by closing the master, which makes the
 * kernel send SIGHUP to the container's session. */
static void relay_in(struct pollfd *in, struct pollfd *pty)
{
	static char buf[4096];
	ssize_t n = read(in->fd, buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0 || pty->fd < 0) {
		if (pty->fd >= 0)
			close(pty->fd);
		pty->fd = -1;
		in->fd = -1;
		return;
	}
	write_all(pty->fd, buf, (size_t)n);
}

/* What is left in the pty once its command ended: whatever its orphans
 * keep writing is not waited for (they may hold the slave for ever). */
static void drain_pty(struct pollfd *p, struct watcher *w)
{
	fcntl(p->fd, F_SETFL, O_NONBLOCK);
	while (p->fd >= 0) {
		struct pollfd q = *p;
		if (poll(&q, 1, 0) <= 0)
			break;
		relay(p, w, STDOUT_FILENO);
	}
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int watcher_run(struct watcher *w, pid_t child)
{
	/* Keep only the read ends: the pipes report EOF once the container
	 * side has closed its write ends, which it can only do if we have not
	 * kept copies of them. */
	if (w->log >= 0) {
		close(w->out[1]);
		close(w->err[1]);
	}
	/* A reader of our copy to the terminal may go away (`tdg run ... |
	 * head`): that must not kill the watcher, only stop the copy. */
	signal(SIGPIPE, SIG_IGN);

	int sfd = signals_fd();
	if (sfd < 0)
		return signals_give_up(child, "signalfd");
	struct pollfd p[5] = {
		{.fd = sfd, .events = POLLIN},
		{.fd = w->log >= 0 ? w->out[0] : -1, .events = POLLIN},
		{.fd = w->log >= 0 ? w->err[0] : -1, .events = POLLIN},
		{.fd = w->pty, .events = POLLIN},
		{.fd = w->pty >= 0 ? w->in : -1, .events = POLLIN},
	};
	int status = 0;
	bool ended = false;
	while (!ended || p[1].fd >= 0 || p[2].fd >= 0 || p[3].fd >= 0) {
		if (ended && p[3].fd >= 0) {
			drain_pty(&p[3], w);
			continue;
		}
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			close(sfd);
			return signals_give_up(child, "poll");
		}
		/* Output first: drain what the container wrote before it ended.
		 * A pty whose slave is closed reads EIO: that is its EOF. */
		if (p[1].revents)
			relay(&p[1], w, STDOUT_FILENO);
		if (p[2].revents)
			relay(&p[2], w, STDERR_FILENO);
		if (p[3].revents)
			relay(&p[3], w, STDOUT_FILENO);
		if (p[4].revents)
			relay_in(&p[4], &p[3]);
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(p[0].fd, &si, sizeof si) != sizeof si)
				continue;
			int code = (int)si.ssi_code;
			if (w->pty >= 0) {
				/* A resize of our terminal is the container's too
				 * (the kernel signals its process group itself). */
				if (si.ssi_signo == SIGWINCH) {
					if (p[3].fd >= 0)
						tty_copy_size(STDIN_FILENO, p[3].fd);
					continue;
				}
				/* On a pty of its own, the container is not in our
				 * terminal's process group: what the kernel sent us
				 * (a hangup, Ctrl-C without -i) did not reach it. */
				code = SI_USER;
			}
			if (signals_handle(child, (int)si.ssi_signo, code, &status))
				ended = true;
		}
	}
	close(p[0].fd);
	return status;
}
