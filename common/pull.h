/* pull.h — `tdg pull`: an image from a registry (HTTP API v2).        (day 10)
 *
 * A registry serves an image as GET /v2/NAME/manifests/TAG-or-DIGEST and
 * GET /v2/NAME/blobs/DIGEST (the OCI distribution spec). A manifest may be
 * an index, one manifest per platform: this machine's is taken. Docker
 * Hub and most registries answer an anonymous request 401 with
 *   WWW-Authenticate: Bearer realm="https://auth...",service="...",scope="..."
 * and hand out a token for that scope at the realm; the request is then
 * made again with "Authorization: Bearer TOKEN". A registry that wants a
 * login (Basic, or a token for a user) gets what `docker login` keeps in
 * ~/.docker/config.json.
 *
 * The transfers are done by the host's curl(1), as `tdg import URL` does:
 * libcurl cannot be linked into a static tdg on Debian (its Kerberos and
 * LDAP parts ship no static library), and curl brings TLS, proxies and
 * redirects. Every blob is written to downloads/HEX.partial, continued
 * there if a pull was interrupted, checked against its digest when
 * complete and only then stored (oci_image.h); a mismatch deletes it.
 * A registry on loopback (localhost, 127.0.0.0/8, [::1]) is spoken to
 * over plain HTTP, as Docker allows; any other over HTTPS unless
 * TDG_INSECURE_REGISTRY names it. */
#ifndef TDG_PULL_H
#define TDG_PULL_H

/* Pull TEXT ([REGISTRY/]NAME[:TAG|@sha256:...]) into the store; one line
 * per layer on stdout (on a terminal, curl's progress bar as it comes).
 * Returns 0, or -1 with the failure recorded. */
int pull_image(const char *text);

#endif
