/* tty.h — a pseudo-terminal for the container (`run -t`, `exec -t`). (day 10)
 *
 * A shell does job control (Ctrl-Z, fg, bg) only on a terminal that is its
 * session's *controlling* terminal. The host's terminal belongs to the
 * host's shell, so a container handed it gets "can't access tty; job
 * control turned off". With -t the container gets a terminal of its own: a
 * pty pair, made by the container in its own /dev/pts (so `tty` inside says
 * /dev/pts/0 and the name exists there), its slave side the controlling
 * terminal of the container's new session, its master side passed back to
 * tdg over a unix socket (SCM_RIGHTS, runc's "console socket"). tdg then
 * copies bytes both ways, with the host terminal in raw mode so Ctrl-C,
 * Ctrl-Z and arrow keys reach the container's line discipline untouched. */
#ifndef TDG_TTY_H
#define TDG_TTY_H

#include <stdbool.h>
#include <sys/ioctl.h>

/* In the container, once its /dev is in place: open a pty in it, make the
 * slave the controlling terminal of a new session and fds 0, 1 and 2 (its
 * size SIZE, if it has rows), and send the master over SOCK. 0, or -1 with
 * the failure recorded (fail.h). */
int tty_console_child(int sock, const struct winsize *size);

/* Send FD over the unix socket SOCK; 0, or -1 with errno. */
int tty_send_fd(int sock, int fd);

/* Receive an fd sent with tty_send_fd(); -1 if the peer closed first. */
int tty_recv_fd(int sock);

/* In a process that has not been given a terminal yet (exec): make the
 * pty slave named by MASTER our controlling terminal and fds 0, 1, 2, and
 * close MASTER. 0, or -1 (recorded). */
int tty_take_slave(int master, const struct winsize *size);

/* Put the terminal FD in raw mode until the process exits (an atexit()
 * handler puts it back, so every way out of tdg but SIGKILL restores it).
 * Nothing happens if FD is not a terminal; like every release, putting it
 * back never fails tdg. */
void tty_raw(int fd);

/* The window size of FROM onto TO (a resize: the kernel then sends SIGWINCH
 * to TO's foreground process group). False if FROM has none. */
bool tty_copy_size(int from, int to);

#endif
