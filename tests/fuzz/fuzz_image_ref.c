/* fuzz_image_ref.c — image_ref_parse(): [REGISTRY/]NAME[:TAG|@sha256:HEX]
 * (day 10, images). The name reaches a URL (the registry's API) and a file
 * name (refs/REF.json), and comes from the command line and from archives
 * (RepoTags, annotations). Accepted: a registry of host characters, a repo
 * of lowercase letters, digits, '.', '_', '-' and '/' with no "..", no
 * empty part; a tag or a digest (NAME:TAG@DIGEST: the digest counts, as in
 * Docker); and the full name it gives reads back as
 * itself. Refused: a reason. */
#include "fuzz.h"
#include "oci_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct image_ref r, again;
	if (image_ref_parse(s, &r) == 0) {
		check(r.registry[0] && strspn(r.registry, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				"OPQRSTUVWXYZ0123456789.-:[]") == strlen(r.registry),
		      "\"%s\" gave registry \"%s\"", s, r.registry);
		check(r.repo[0] && r.repo[0] != '/' && !strstr(r.repo, "..") &&
			      !strstr(r.repo, "//") && r.repo[strlen(r.repo) - 1] != '/' &&
			      strspn(r.repo, "abcdefghijklmnopqrstuvwxyz0123456789._-/") ==
				      strlen(r.repo),
		      "\"%s\" gave repo \"%s\"", s, r.repo);
		check(r.tag[0] || r.digest[0], "\"%s\": tag \"%s\", digest \"%s\"", s, r.tag,
		      r.digest);
		check(image_ref_parse(r.full, &again) == 0 && strcmp(again.full, r.full) == 0,
		      "\"%s\" gave \"%s\", which reads back otherwise", s, r.full);
	} else {
		check_reason(s);
	}
	free(s);
	return 0;
}
