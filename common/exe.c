/* exe.c — see exe.h.                                                 (day 10) */
#include "exe.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: "this memfd will be executed" */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int exe_reexec_sealed(char **argv)
{
	int copy = -1, self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return fail_with("exec: open /proc/self/exe: %m");
	/* Only a memfd has seals (a regular file: EINVAL): if ours has all
	 * of them, this process is the copy already. */
	if (fcntl(self, F_GET_SEALS) == SEALS) {
		close(self);
		return 0;
	}
	/* Kernels with vm.memfd_noexec want to be told; older ones do not
	 * know the flag (EINVAL) and need no telling. */
	copy = memfd_create("tdg", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (copy < 0 && errno == EINVAL)
		copy = memfd_create("tdg", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;
	if (copy < 0 || fstat(self, &st) != 0) {
		fail_with("exec: copy tdg into memory: %m");
		goto fail;
	}
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, self, &done, (size_t)(st.st_size - done));
		if (n <= 0) {
			fail_with("exec: copy tdg into memory: %s",
				  n < 0 ? strerror(errno) : "short read");
			goto fail;
		}
	}
	if (fcntl(copy, F_ADD_SEALS, SEALS) != 0) {
		fail_with("exec: seal the copy of tdg: %m");
		goto fail;
	}
	/* MFD_CLOEXEC is right for an ELF binary: the kernel has the file
	 * open for the exec itself and the fd goes at its end. */
	fexecve(copy, argv, environ);
	fail_with("exec: run the sealed copy of tdg: %m");
fail:
	if (copy >= 0)
		close(copy);
	close(self);
	return -1;
}
