#!/usr/bin/env python3
"""tests/helpers/regproxy.py PORTFILE UPSTREAM MODE [DIGEST] -- a proxy in
front of the test's real registry (127.0.0.1:UPSTREAM) that behaves as the
registries tdg meets on the internet do. It listens on a free loopback port,
written to PORTFILE.

MODE token: Docker Hub's anonymous pull. Without "Authorization: Bearer T"
every /v2/ request gets 401 and a challenge
    WWW-Authenticate: Bearer realm="http://HERE/token",service="test-registry",
                      scope="repository:NAME:pull"
and /token?service=...&scope=... hands out T (each call logged to
PORTFILE.tokens).
MODE basic: a registry behind a login: without "Authorization: Basic"
of test:secret every request gets 401 and WWW-Authenticate: Basic.
MODE slow: the blob DIGEST comes at 64 KB a second (to interrupt a pull).
MODE cut: the first GET of the blob DIGEST sends its headers and half of
it, then closes the connection (a registry that stops mid-layer); later
requests (a Range one to continue) go through."""
import http.server, json, socketserver, sys, urllib.error, urllib.parse, urllib.request

portfile, upstream, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
digest = sys.argv[4] if len(sys.argv) > 4 else ""
TOKEN = "T0k3n-for-the-test"
state = {"cut": False}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if mode == "token" and url.path == "/token":
            q = urllib.parse.parse_qs(url.query)
            with open(portfile + ".tokens", "a") as f:
                f.write("service=%s scope=%s\n" % (q.get("service", [""])[0], q.get("scope", [""])[0]))
            if q.get("service") != ["test-registry"] or not q.get("scope", [""])[0].startswith("repository:"):
                return self.send(400, b'{"errors":[{"code":"DENIED"}]}')
            return self.send(200, json.dumps({"token": TOKEN}).encode(),
                             [("Content-Type", "application/json")])
        if mode == "token" and self.headers.get("Authorization") != "Bearer " + TOKEN:
            name = url.path[4:].split("/manifests/")[0].split("/blobs/")[0]
            chal = 'Bearer realm="http://127.0.0.1:%d/token",service="test-registry",scope="repository:%s:pull"' % (
                self.server.server_address[1], name)
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [("WWW-Authenticate", chal)])
        if mode == "basic" and self.headers.get("Authorization") != "Basic dGVzdDpzZWNyZXQ=":
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                             [("WWW-Authenticate", 'Basic realm="test-registry"')])
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (upstream, self.path))
        for h in ("Accept", "Range"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            r = urllib.request.urlopen(req)
            code, body, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            code, body, hdrs = e.code, e.read(), e.headers
        keep = [(k, v) for k, v in hdrs.items()
                if k.lower() in ("content-type", "docker-content-digest", "content-range")]
        if mode == "cut" and digest and url.path.endswith("/blobs/" + digest) and not state["cut"]:
            state["cut"] = True
            self.send_response(code)
            for k, v in keep:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "slow" and digest and url.path.endswith("/blobs/" + digest):
            import time
            self.send_response(code)
            for k, v in keep:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for i in range(0, len(body), 16384):
                self.wfile.write(body[i:i + 16384])
                self.wfile.flush()
                time.sleep(0.25)
            return
        self.send(code, body, keep)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


s = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
