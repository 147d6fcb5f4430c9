/* test_oci_image.c — unit tests for common/oci_image.c: image_ref_parse(),
 * how `tdg pull` and `run --image` read an image's name, as Docker does:
 * a first part with a '.' or ':' (or "localhost") is a registry, else
 * Docker Hub, where a one-part name is library/NAME; no tag: latest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "oci_image.h"

#include <string.h>

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(const char *in, const char *registry, const char *repo, const char *tag,
		  const char *digest, const char *full, const char *shown)
{
	struct image_ref r;
	assert_int_equal(image_ref_parse(in, &r), 0);
	assert_string_equal(r.registry, registry);
	assert_string_equal(r.repo, repo);
	assert_string_equal(r.tag, tag);
	assert_string_equal(r.digest, digest);
	assert_string_equal(r.full, full);
	assert_string_equal(r.shown, shown);
}

static void short_names_mean_docker_hubs_library(void **state)
{
	(void)state;
	check("busybox", "docker.io", "library/busybox", "latest", "",
	      "docker.io/library/busybox:latest", "busybox:latest");
	check("alpine:3.19", "docker.io", "library/alpine", "3.19", "",
	      "docker.io/library/alpine:3.19", "alpine:3.19");
	check("someone/tool", "docker.io", "someone/tool", "latest", "",
	      "docker.io/someone/tool:latest", "someone/tool:latest");
	check("docker.io/library/debian:12", "docker.io", "library/debian", "12", "",
	      "docker.io/library/debian:12", "debian:12");
}

static void a_first_part_with_a_dot_a_port_or_localhost_is_a_registry(void **state)
{
	(void)state;
	check("127.0.0.1:5000/test/two", "127.0.0.1:5000", "test/two", "latest", "",
	      "127.0.0.1:5000/test/two:latest", "127.0.0.1:5000/test/two:latest");
	check("localhost/x:v1", "localhost", "x", "v1", "", "localhost/x:v1", "localhost/x:v1");
	check("quay.io/a/b/c:t", "quay.io", "a/b/c", "t", "", "quay.io/a/b/c:t", "quay.io/a/b/c:t");
}

static void a_digest_pins_the_image(void **state)
{
	(void)state;
	check("busybox@sha256:" D64, "docker.io", "library/busybox", "", "sha256:" D64,
	      "docker.io/library/busybox@sha256:" D64, "busybox@sha256:" D64);
}

static void bad_names_are_refused_with_a_reason(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "Busybox", "a//b", "/abs", "a/../b", "x:", "x:ba d", "x@sha256:abc",
		"x@sha256:" D64 "0", "x@md5:" D64, "x:" "0123456789012345678901234567890123456789"
		"01234567890123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789", "a b", "x/", "ex@mple.com/x", "my host:5000/x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct image_ref r;
		fail_last.msg[0] = '\0';
		if (image_ref_parse(bad[i], &r) != -1)
			fail_msg("'%s' was taken", bad[i]);
		assert_true(fail_last.msg[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_names_mean_docker_hubs_library),
		cmocka_unit_test(a_first_part_with_a_dot_a_port_or_localhost_is_a_registry),
		cmocka_unit_test(a_digest_pins_the_image),
		cmocka_unit_test(bad_names_are_refused_with_a_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
