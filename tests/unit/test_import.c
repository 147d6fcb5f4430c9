/* test_import.c — unit tests for common/import.c: import_rootfs()'s failures.
 *
 * import_rootfs() used to end tdg (die) on every failure, with the undo run
 * from inside exit(); now it returns -1 with the reason recorded, so each
 * failure can be called here, in the test process, and what it leaves
 * looked at right after: the one message (the same text `tdg import`
 * prints), and nothing in $TDG_ROOT/rootfs -- no NAME, no hidden
 * ".NAME.tmpXXXXXX" tree, no download. Also that a successful import puts
 * back what it changes in the process (its working directory, umask and
 * signal handlers), as a function that returns must. The archives are made
 * here with libarchive's writer, which writes names as given, ".." too.
 * No network: the one URL case has no curl or wget on PATH.
 *
 *   /tmp/tdg-unit-import-XXXXXX/
 *     state/          TDG_ROOT
 *     state/rootfs/   where imports go (made by the first import)
 *     www/            a folder (not an archive) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "import.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[] = "/tmp/tdg-unit-import-XXXXXX";

/* BASE/NAME, in one of two static buffers (two may be used at once). */
static const char *at(const char *name)
{
	static char path[2][PATH_MAX];
	static int n;
	char *p = path[n++ % 2];
	snprintf(p, PATH_MAX, "%s/%s", base, name);
	return p;
}

/* Write the tar BASE/FILE with the entries NAMES (NULL-terminated): a
 * name ending in '/' is a folder, any other a small file. */
static void make_tar(const char *file, const char *const names[])
{
	struct archive *a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, at(file)), ARCHIVE_OK);
	for (const char *const *n = names; *n; n++) {
		struct archive_entry *e = archive_entry_new();
		bool dir = (*n)[strlen(*n) - 1] == '/';
		archive_entry_set_pathname(e, *n);
		archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(e, 0755);
		archive_entry_set_size(e, dir ? 0 : 3);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (!dir)
			assert_int_equal(archive_write_data(a, "x\n\n", 3), 3);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(base) || mkdir(at("www"), 0755) != 0)
		return -1;
	setenv("TDG_ROOT", at("state"), 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* What $TDG_ROOT/rootfs holds, names separated by spaces ("" if empty or
 * missing), hidden ones included. */
static const char *imported(void)
{
	static char list[1024];
	list[0] = '\0';
	DIR *d = opendir(at("state/rootfs"));
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 *list ? " " : "", e->d_name);
	if (d)
		closedir(d);
	return list;
}

/* import_rootfs(SOURCE, NAME) fails with exactly MSG and leaves nothing. */
static void expect_failure(const char *source, const char *name, const char *msg)
{
	fail_last.msg[0] = '\0';
	assert_int_equal(import_rootfs(source, name), -1);
	assert_string_equal(fail_last.msg, msg);
	assert_string_equal(imported(), "");
}

static void test_missing_file(void **state)
{
	(void)state;
	char msg[PATH_MAX + 64];
	snprintf(msg, sizeof msg, "import: %s: No such file or directory", at("missing.tar"));
	expect_failure(at("missing.tar"), "missing", msg);
}

static void test_dotdot_entry_refused_nothing_left(void **state)
{
	(void)state;
	static const char *const names[] = {"bin/", "bin/sh", "../pwned", NULL};
	char msg[PATH_MAX + 256];
	make_tar("dotdot.tar", names);
	snprintf(msg, sizeof msg, "import: %s: entry '../pwned': Path contains '..'; "
		 "nothing was imported", at("dotdot.tar"));
	expect_failure(at("dotdot.tar"), "evil", msg);
	/* ".." from the temporary tree would be $TDG_ROOT/rootfs itself. */
	assert_int_equal(access(at("state/rootfs/pwned"), F_OK), -1);
	assert_int_equal(access(at("state/pwned"), F_OK), -1);
}

static void test_bad_name(void **state)
{
	(void)state;
	expect_failure(at("any.tar"), "../x",
		       "import: '../x': not a valid name (a letter or digit, then letters, "
		       "digits, '_', '.', '-'; at most 63)");
}

static void test_folder_is_not_an_archive(void **state)
{
	(void)state;
	char msg[PATH_MAX + 128];
	snprintf(msg, sizeof msg, "import: %s: is a folder, not an archive; pass it to "
		 "--rootfs as it is", at("www"));
	expect_failure(at("www"), "www", msg);
}

static void test_not_an_archive(void **state)
{
	(void)state;
	FILE *f = fopen(at("notes.txt"), "w");
	assert_non_null(f);
	fputs("not an archive\n", f);
	fclose(f);
	assert_int_equal(import_rootfs(at("notes.txt"), "notes"), -1);
	assert_non_null(strstr(fail_last.msg, "; tdg imports tar archives (plain, gzip, xz, "
					      "zstd, bzip2)"));
	assert_string_equal(imported(), "");
}

static void test_url_without_curl_or_wget(void **state)
{
	(void)state;
	char *path = strdup(getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", at("www"), 1); /* an empty folder: no curl, no wget */
	expect_failure("http://127.0.0.1:9/x.tar", "web",
		       "import: http://127.0.0.1:9/x.tar: downloading needs curl or wget on "
		       "the host; install curl, or download the file yourself and import it");
	setenv("PATH", path, 1);
	free(path);
}

/* Success, then the same NAME again: refused, the first one kept. And
 * what it changed in this process for the unpacking is put back. */
static void test_import_then_name_taken(void **state)
{
	(void)state;
	static const char *const names[] = {"bin/", "bin/sh", "etc/hostname", NULL};
	char cwd[PATH_MAX], after[PATH_MAX], msg[2 * PATH_MAX];
	struct sigaction sa;
	make_tar("good.tar", names);
	assert_non_null(getcwd(cwd, sizeof cwd));
	mode_t mask = umask(077);

	assert_int_equal(import_rootfs(at("good.tar"), "good"), 0);
	assert_string_equal(imported(), "good");
	assert_int_equal(access(at("state/rootfs/good/etc/hostname"), F_OK), 0);
	assert_non_null(getcwd(after, sizeof after));
	assert_string_equal(after, cwd);
	assert_int_equal(umask(mask), 077);
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);

	snprintf(msg, sizeof msg, "import: good: a rootfs of that name exists; choose "
		 "another name, or remove it first (rm -rf %s)", at("state/rootfs/good"));
	assert_int_equal(import_rootfs(at("good.tar"), "good"), -1);
	assert_string_equal(fail_last.msg, msg);
	assert_string_equal(imported(), "good");
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", at("state/rootfs/good"));
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_dotdot_entry_refused_nothing_left),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_folder_is_not_an_archive),
		cmocka_unit_test(test_not_an_archive),
		cmocka_unit_test(test_url_without_curl_or_wget),
		cmocka_unit_test(test_import_then_name_taken),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
