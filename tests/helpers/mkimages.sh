#!/usr/bin/env bash
# tests/helpers/mkimages.sh ROOTFS OUT — the images tests/day10-images.sh
# pulls and imports, made offline from the busybox rootfs with umoci (an
# OCI image layout, OUT/oci) and served by a real registry (OUT/registry,
# Debian's docker-registry, loaded by skopeo). Images:
#   two:   base + top   top deletes /etc/motd (.wh.motd) and replaces the
#                        folder /data/dir (an opaque whiteout); its config
#                        sets Cmd, Env, WorkingDir
#   other: base + other  a second image on the same base layer
#   multi: an index: linux/amd64 -> two, linux/arm64 -> other (and the
#          reverse on an arm64 host, so "ours" is always two)
set -euo pipefail
ROOTFS=$1 OUT=$2
PY=$(command -v /usr/bin/python3 || command -v python3)
mkdir -p "$OUT/stage"
L=$OUT/oci

# The layers, as tar files: base is the rootfs plus files to delete later.
cp -a "$ROOTFS" "$OUT/stage/base"
mkdir -p "$OUT/stage/base/data/dir"
echo motd >"$OUT/stage/base/etc/motd"
echo a >"$OUT/stage/base/data/dir/a"
echo keep >"$OUT/stage/base/data/keep"
tar -C "$OUT/stage/base" --sort=name --mtime=@0 -cf "$OUT/stage/base.tar" .
"$PY" - "$OUT/stage" <<'PY'
import io, sys, tarfile
def layer(path, entries):
    t = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)
    for name, data in entries:
        i = tarfile.TarInfo(name)
        if data is None:
            i.type, i.mode = tarfile.DIRTYPE, 0o755
            t.addfile(i)
        else:
            i.size, i.mode = len(data), 0o644
            t.addfile(i, io.BytesIO(data))
    t.close()
d = sys.argv[1]
layer(d + "/top.tar", [("etc/", None), ("etc/.wh.motd", b""), ("data/", None),
                       ("data/dir/", None), ("data/dir/.wh..wh..opq", b""),
                       ("data/dir/c", b"c\n"), ("data/new", b"new\n")])
layer(d + "/other.tar", [("other", b"other\n")])
PY

umoci init --layout "$L"
umoci new --image "$L:base"
umoci raw add-layer --no-history --image "$L:base" "$OUT/stage/base.tar"
umoci raw add-layer --no-history --image "$L:base" --tag two "$OUT/stage/top.tar"
umoci raw add-layer --no-history --image "$L:base" --tag other "$OUT/stage/other.tar"
umoci config --no-history --image "$L:two" --config.cmd /bin/sh --config.cmd -c \
    --config.cmd 'echo "default cmd in $(pwd), FOO=$FOO"' --config.env FOO=from-image \
    --config.workingdir /data
umoci config --no-history --image "$L:other" --config.cmd /bin/cat --config.cmd /other

# multi: an OCI index of both, by platform (ours: two).
"$PY" - "$L" <<'PY'
import hashlib, json, os, platform, sys
L = sys.argv[1]
idx = json.load(open(L + "/index.json"))
by = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in idx["manifests"]}
ours = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), "amd64")
theirs = "arm64" if ours != "arm64" else "amd64"
def entry(m, arch):
    return {"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
            "platform": {"os": "linux", "architecture": arch}}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [entry(by["other"], theirs), entry(by["two"], ours)]}
data = json.dumps(index).encode()
h = hashlib.sha256(data).hexdigest()
open(f"{L}/blobs/sha256/{h}", "wb").write(data)
idx["manifests"].append({"mediaType": index["mediaType"], "digest": "sha256:" + h,
                         "size": len(data),
                         "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(idx, open(L + "/index.json", "w"))
PY

# The registry, loaded once; each test serves a copy or this one.
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$OUT/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $OUT/registry}}
http: {addr: 127.0.0.1:$PORT}
YML
docker-registry serve "$OUT/registry.yml" >"$OUT/registry.log" 2>&1 &
REG=$!
trap 'kill $REG 2>/dev/null; wait $REG 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.05; done
for t in two other; do
    skopeo copy -q --dest-tls-verify=false "oci:$L:$t" "docker://127.0.0.1:$PORT/test/$t:latest"
done
skopeo copy -q --all --dest-tls-verify=false "oci:$L:multi" "docker://127.0.0.1:$PORT/test/multi:latest"
rm -rf "$OUT/stage"
