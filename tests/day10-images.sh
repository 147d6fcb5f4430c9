#!/usr/bin/env bash
# Day 10 — images: `tdg pull` from a real registry (Debian's docker-registry,
# on loopback, started here), `tdg import` of an OCI layout and of a docker
# save archive, `run --image` on overlay lower layers, `images`, `rmi`.
# The images are made offline from the busybox rootfs
# (tests/helpers/mkimages.sh: umoci, skopeo); a small proxy
# (tests/helpers/regproxy.py) plays Docker Hub's token challenge and a
# registry that stops mid-layer. Everything stays on 127.0.0.1.
source "$(dirname "$0")/lib.sh"

HELPERS=$(cd "$(dirname "$0")/helpers" && pwd)
PY=$(command -v /usr/bin/python3 || command -v python3)

# The images, made once for the whole script (the parent exports the
# folder); a single test run alone makes its own in its TDG_ROOT.
if (($# == 0)) && [[ -z "${IMG_FIXTURE:-}" ]]; then
    IMG_FIXTURE=$(mktemp -d "${TEST_ROOTS:-/tmp}/tdg-images.XXXXXX")
    export IMG_FIXTURE
    trap 'rm -rf "$IMG_FIXTURE"' EXIT
    bash "$HELPERS/mkimages.sh" "$ROOTFS" "$IMG_FIXTURE" >"$IMG_FIXTURE.log" 2>&1 ||
        { cat "$IMG_FIXTURE.log"; rm -f "$IMG_FIXTURE.log"; echo "  FAIL  day10-images: mkimages.sh"; exit 1; }
    rm -f "$IMG_FIXTURE.log"
fi
fixture() {
    if [[ -z "${IMG_FIXTURE:-}" ]]; then
        IMG_FIXTURE=$TDG_ROOT/fixture
        bash "$HELPERS/mkimages.sh" "$ROOTFS" "$IMG_FIXTURE" >/dev/null 2>&1
    fi
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry [STORAGE]: a docker-registry on 127.0.0.1:$REG serving
# STORAGE (default: the fixture's, read only by pulls).
start_registry() {
    fixture
    local storage=${1:-$IMG_FIXTURE/registry}
    REG=$(free_port)
    cat >"$TDG_ROOT/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $storage}}
http: {addr: 127.0.0.1:$REG}
YML
    start_bg "$TDG_ROOT/registry.log" docker-registry serve "$TDG_ROOT/registry.yml"
    wait_for curl -sf -o /dev/null "http://127.0.0.1:$REG/v2/"
}

# start_proxy MODE [DIGEST]: regproxy.py in front of the registry; $PROXY.
start_proxy() {
    rm -f "$TDG_ROOT/proxy.port"
    start_bg "$TDG_ROOT/proxy.log" "$PY" "$HELPERS/regproxy.py" "$TDG_ROOT/proxy.port" "$REG" "$@"
    wait_for test -s "$TDG_ROOT/proxy.port"
    PROXY=$(cat "$TDG_ROOT/proxy.port")
}

layers() { ls -A "$TDG_ROOT/images/layers" 2>/dev/null | grep -v '^\.' || true; }
expect_nothing_stored() {
    expect_eq "$(ls -A "$TDG_ROOT/images/refs" 2>/dev/null)" "" "the image refs"
    expect_eq "$(ls -A "$TDG_ROOT/images/layers" 2>/dev/null)" "" "the layers (no half one)"
}

# What the image "two" must look like from inside: top's whiteouts applied.
WHITEOUT_CHECK='test ! -e /etc/motd && echo motd-gone; ls /data/dir | tr "\n" " "; cat /data/keep /data/new'
expect_two_inside() { # IMAGE
    capture "$TDG" run --net none --image "$1" /bin/sh -c "$WHITEOUT_CHECK"
    expect_eq "$RC" 0 "run --image $1" || fail "stderr: $ERR"
    # motd deleted by ".wh.motd"; /data/dir replaced (opaque): a gone, c new.
    expect_eq "$OUT" $'motd-gone\nc keep\nnew' "the layers as the container sees them"
}

t_import_oci_layout_and_run_it_with_the_image_defaults() {
    fixture
    capture "$TDG" import "$IMG_FIXTURE/oci:two" two
    expect_eq "$RC" 0 "import of an OCI layout" || fail "stderr: $ERR"
    expect_contains "$OUT" "imported two:latest: 2 layers (2 new"
    expect_two_inside two
    # No CMD: the image's Cmd, in its WorkingDir, with its Env.
    capture "$TDG" run --net none --image two
    expect_eq "$OUT" "default cmd in /data, FOO=from-image" "the image's defaults"
    # run's flags override them, as in Docker.
    capture "$TDG" run --net none -e FOO=mine -w /tmp --image two /bin/sh -c 'echo "$(pwd) $FOO"'
    expect_eq "$OUT" "/tmp mine" "-e and -w over the image's"
    # Writes land in the container's own layer, never in a shared one.
    "$TDG" run --net none --image two /bin/sh -c 'echo x >/data/keep; rm /bin/ls'
    expect_eq "$(cat "$TDG_ROOT"/images/layers/*/data/keep)" keep "the stored layer"
    capture "$TDG" images
    expect_contains "$OUT" "two:latest"
    # A layout of several images needs its tag.
    capture "$TDG" import "$IMG_FIXTURE/oci" x
    expect_error 125 "name one as"
}

t_docker_save_archive_and_oci_layout_tar_imported_and_run() {
    fixture
    # What `docker save` and `podman save` write (docker-archive, RepoTags).
    skopeo copy -q "oci:$IMG_FIXTURE/oci:two" "docker-archive:$TDG_ROOT/saved.tar:saved/two:v1"
    tar -tf "$TDG_ROOT/saved.tar" | grep -qx manifest.json || fail "not a docker save archive"
    capture "$TDG" import "$TDG_ROOT/saved.tar"
    expect_eq "$RC" 0 "import of a save archive" || fail "stderr: $ERR"
    expect_contains "$OUT" "imported saved/two:v1"
    expect_two_inside saved/two:v1
    # An OCI layout as one tar file.
    tar -C "$IMG_FIXTURE/oci" -cf "$TDG_ROOT/layout.tar" .
    capture "$TDG" import "$TDG_ROOT/layout.tar:other" other
    expect_eq "$RC" 0 "import of a layout tar" || fail "stderr: $ERR"
    capture "$TDG" run --net none --image other
    expect_eq "$OUT" other "the image other's Cmd"
    # What `podman save --format oci-archive` writes: its name inside.
    skopeo copy -q "oci:$IMG_FIXTURE/oci:two" "oci-archive:$TDG_ROOT/oa.tar:localhost/saved/two:v2"
    capture "$TDG" import "$TDG_ROOT/oa.tar"
    expect_eq "$RC" 0 "import of an oci-archive" || fail "stderr: $ERR"
    expect_two_inside localhost/saved/two:v2
    expect_eq "$(ls -A "$TDG_ROOT/images/downloads")" "" "the unpacked archives, removed"
}

t_pull_by_tag_and_by_digest() {
    start_registry
    capture "$TDG" pull "127.0.0.1:$REG/test/two"
    expect_eq "$RC" 0 "pull by tag" || fail "stderr: $ERR"
    expect_contains "$OUT" "layer, 1"
    expect_contains "$OUT" "pulled 127.0.0.1:$REG/test/two:latest: 2 layers"
    expect_two_inside "127.0.0.1:$REG/test/two"
    local digest
    digest=$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$REG/test/two" | sha256sum | cut -c1-64)
    capture "$TDG" pull "127.0.0.1:$REG/test/two@sha256:$digest"
    expect_eq "$RC" 0 "pull by digest" || fail "stderr: $ERR"
    expect_contains "$OUT" "already stored"
    expect_contains "$OUT" "digest sha256:$digest"
    expect_two_inside "127.0.0.1:$REG/test/two@sha256:$digest"
    expect_eq "$(layers | wc -l)" 2 "layers stored"
    # A digest the registry has not: 125, one line.
    capture "$TDG" pull "127.0.0.1:$REG/test/two@sha256:$(printf '%064d' 0)"
    expect_error 125 "not found"
}

t_pull_a_multi_platform_index_takes_this_machines_image() {
    start_registry
    capture "$TDG" pull "127.0.0.1:$REG/test/multi"
    expect_eq "$RC" 0 "pull of an index" || fail "stderr: $ERR"
    expect_two_inside "127.0.0.1:$REG/test/multi"
    expect_eq "$(jq -r .config "$TDG_ROOT"/images/refs/*multi*.json)" \
        "$(jq -r .config.digest "$IMG_FIXTURE/oci/blobs/sha256/$(jq -r '.manifests[]|select(.annotations."org.opencontainers.image.ref.name"=="two")|.digest' "$IMG_FIXTURE/oci/index.json" | cut -c8-)")" \
        "the config of this platform's image"
}

t_pull_of_a_missing_tag_fails_with_one_line() {
    start_registry
    capture "$TDG" pull "127.0.0.1:$REG/test/two:nope"
    expect_error 125 "tag not found in 127.0.0.1:$REG"
    capture "$TDG" pull "127.0.0.1:$REG/test/nothing"
    expect_error 125 "not found"
    capture "$TDG" pull 'Bad/Name'
    expect_error 125 "not an image name"
    capture "$TDG" pull "127.0.0.1:$(free_port)/test/two"
    expect_error 125 "cannot connect to the registry"
    capture "$TDG" run --net none --image never-pulled
    expect_error 125 "no such image here"
    expect_nothing_stored
}

t_pull_of_a_corrupted_blob_is_refused_and_nothing_stored() {
    fixture
    cp -a "$IMG_FIXTURE/registry" "$TDG_ROOT/storage"
    start_registry "$TDG_ROOT/storage"
    # The top layer's bytes change on the registry's disk; its name does not.
    local top data
    top=$(jq -r '.manifests[]|select(.annotations."org.opencontainers.image.ref.name"=="two")|.digest' "$IMG_FIXTURE/oci/index.json" | cut -c8-)
    top=$(jq -r '.layers[1].digest' "$IMG_FIXTURE/oci/blobs/sha256/$top" | cut -c8-)
    data=$TDG_ROOT/storage/docker/registry/v2/blobs/sha256/${top:0:2}/$top/data
    printf 'X' | dd of="$data" bs=1 seek=20 conv=notrunc status=none
    capture "$TDG" pull "127.0.0.1:$REG/test/two"
    expect_error 125 "digest mismatch"
    expect_nothing_stored
    [[ ! -e "$TDG_ROOT/images/downloads/$top.partial" ]] || fail "the bad blob was kept"
}

t_pull_from_a_registry_that_stops_mid_layer_then_continues() {
    start_registry
    local base
    base=$(jq -r '.manifests[]|select(.annotations."org.opencontainers.image.ref.name"=="base")|.digest' "$IMG_FIXTURE/oci/index.json" | cut -c8-)
    base=$(jq -r '.layers[0].digest' "$IMG_FIXTURE/oci/blobs/sha256/$base")
    start_proxy cut "$base"
    capture "$TDG" pull "127.0.0.1:$PROXY/test/two"
    expect_error 125 "broke off"
    expect_nothing_stored
    local part=$TDG_ROOT/images/downloads/${base#sha256:}.partial
    [[ -s "$part" ]] || fail "no partial download to continue"
    local half
    half=$(stat -c %s "$part")
    capture "$TDG" pull "127.0.0.1:$PROXY/test/two"
    expect_eq "$RC" 0 "the second pull" || fail "stderr: $ERR"
    expect_two_inside "127.0.0.1:$PROXY/test/two"
    ((half > 0)) || fail "nothing was kept"
    expect_eq "$(ls -A "$TDG_ROOT/images/downloads")" "" "downloads after the pull"
}

t_an_interrupted_pull_cleans_up_and_continues_later() {
    start_registry
    local base pid
    base=$(jq -r '.manifests[]|select(.annotations."org.opencontainers.image.ref.name"=="base")|.digest' "$IMG_FIXTURE/oci/index.json" | cut -c8-)
    base=$(jq -r '.layers[0].digest' "$IMG_FIXTURE/oci/blobs/sha256/$base")
    start_proxy slow "$base"
    local part=$TDG_ROOT/images/downloads/${base#sha256:}.partial
    start_bg "$TDG_ROOT/pull.out" "$TDG" pull "127.0.0.1:$PROXY/test/two"
    pid=$BG_PID
    _started() { [[ $(stat -c %s "$part" 2>/dev/null || echo 0) -gt 0 ]]; }
    wait_for _started
    kill -TERM "$pid"
    wait_bg "$pid"
    expect_eq "$RC" 125 "exit status of the interrupted pull"
    expect_contains "$(cat "$TDG_ROOT/pull.out")" "interrupted by Terminated"
    expect_nothing_stored
    # What is left: the .partial to continue from, nothing else.
    expect_eq "$(ls -A "$TDG_ROOT/images/downloads")" "${base#sha256:}.partial" "downloads"
    capture "$TDG" pull "127.0.0.1:$REG/test/two"
    expect_eq "$RC" 0 "the pull again" || fail "stderr: $ERR"
    expect_two_inside "127.0.0.1:$REG/test/two"
}

t_pull_answers_a_token_challenge_like_docker_hubs() {
    start_registry
    start_proxy token
    # The proxy refuses anything without its token.
    expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PROXY/v2/test/two/manifests/latest")" 401 "an anonymous request"
    capture "$TDG" pull "127.0.0.1:$PROXY/test/two"
    expect_eq "$RC" 0 "pull behind a token challenge" || fail "stderr: $ERR"
    expect_eq "$(cat "$TDG_ROOT/proxy.port.tokens")" "service=test-registry scope=repository:test/two:pull" \
        "what tdg asked the token endpoint"
    expect_two_inside "127.0.0.1:$PROXY/test/two"
}

t_pull_logs_in_with_docker_logins_credentials() {
    start_registry
    start_proxy basic
    export HOME=$TDG_ROOT/home
    mkdir -p "$HOME"
    capture "$TDG" pull "127.0.0.1:$PROXY/test/two"
    expect_error 125 "wants a login"
    # What `docker login 127.0.0.1:PORT` writes (test:secret, base64).
    mkdir -p "$HOME/.docker"
    echo '{"auths": {"127.0.0.1:'"$PROXY"'": {"auth": "dGVzdDpzZWNyZXQ="}}}' >"$HOME/.docker/config.json"
    # The credential never shows in curl's command line (ps).
    start_bg "$TDG_ROOT/pull.out" strace -f -qq -e trace=execve -s 300 -o "$TDG_ROOT/execs" "$TDG" pull "127.0.0.1:$PROXY/test/two"
    wait_bg "$BG_PID"
    expect_eq "$RC" 0 "pull with a login" || fail "$(cat "$TDG_ROOT/pull.out")"
    expect_contains "$(cat "$TDG_ROOT/execs")" '"--header", "@' "curl's command lines"
    expect_not_contains "$(cat "$TDG_ROOT/execs")" "dGVzdDpzZWNyZXQ=" "curl's command lines"
    expect_two_inside "127.0.0.1:$PROXY/test/two"
    expect_eq "$(ls -A "$TDG_ROOT/images/downloads")" "" "downloads (the header file too)"
}

# mklayout DIR LAYER.tar...: an OCI layout of one image, tagged "t".
mklayout() {
    "$PY" - "$@" <<'PY'
import hashlib, json, os, sys
d, layers = sys.argv[1], sys.argv[2:]
os.makedirs(d + "/blobs/sha256", exist_ok=True)
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open(f"{d}/blobs/sha256/{h}", "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
ls = [dict(blob(open(l, "rb").read()), mediaType="application/vnd.oci.image.layer.v1.tar") for l in layers]
cfg = blob(json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                       "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in ls]}}).encode())
m = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                     "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
                     "layers": ls}).encode())
open(d + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [dict(m, mediaType="application/vnd.oci.image.manifest.v1+json",
          annotations={"org.opencontainers.image.ref.name": "t"})]}, open(d + "/index.json", "w"))
PY
}
# pytar OUT BODY: f(name), d(name), s(name, target), dev(name) (tests/helpers/pytar.sh).
source "$HELPERS/pytar.sh"

t_hostile_layers_are_refused_and_nothing_stored() {
    local out=$TDG_ROOT/outside n=0 body
    mkdir -p "$out" && echo original >"$out/target"
    for body in "f('../pwned')" "f('/pwned-abs')" \
        "s('evil', '$out'); f('evil/pwned')" \
        "s('evil', '$out'); f('evil/.wh.target')" \
        "f('ok'); f('../.wh.target')" "d('x'); s('x/up', '..'); f('x/up/.wh..wh..opq')"; do
        n=$((n + 1))
        pytar "$TDG_ROOT/h$n.tar" "$body"
        mklayout "$TDG_ROOT/h$n" "$TDG_ROOT/h$n.tar"
        capture "$TDG" import "$TDG_ROOT/h$n" hostile$n
        expect_error 125 || fail "layer: $body"
        echo "note: $body -> $ERR"
    done
    expect_nothing_stored
    expect_eq "$(ls -A "$out")" target "what is outside"
    expect_eq "$(cat "$out/target")" original "the outside file"
    expect_eq "$(find "$TDG_ROOT" -name 'pwned*')" "" "files a layer put outside"
    # A save archive whose layer is a symlink to a host file (a tar there).
    tar -C "$ROOTFS" -cf "$out/host.tar" ./etc
    echo '{}' >"$TDG_ROOT/c.json"
    pytar "$TDG_ROOT/evil-save.tar" "
f('manifest.json', b'[{\"Config\": \"c.json\", \"RepoTags\": [\"evil:1\"], \"Layers\": [\"l/layer.tar\"]}]')
f('c.json', b'{}')
d('l')
s('l/layer.tar', '$out/host.tar')"
    capture "$TDG" import "$TDG_ROOT/evil-save.tar"
    expect_error 125 "leads outside the archive"
    expect_nothing_stored
    rm "$out/host.tar"
    # A device node is skipped (the container gets its own /dev), not made.
    pytar "$TDG_ROOT/dev.tar" "f('bin/x'); dev('sda')"
    mklayout "$TDG_ROOT/devl" "$TDG_ROOT/dev.tar"
    capture "$TDG" import "$TDG_ROOT/devl" devl
    expect_eq "$RC" 0 "import of a layer with a device node" || fail "stderr: $ERR"
    expect_contains "$ERR" "skipped 1 device node"
    expect_eq "$(find "$TDG_ROOT/images/layers" -type b -o -type c)" "" "device nodes stored"
}

t_two_images_share_their_base_and_rmi_keeps_what_another_uses() {
    start_registry
    "$TDG" pull "127.0.0.1:$REG/test/two" >/dev/null
    local before after
    before=$(du -sk "$TDG_ROOT/images/layers" | cut -f1)
    capture "$TDG" pull "127.0.0.1:$REG/test/other"
    expect_contains "$OUT" "layer already stored"
    after=$(du -sk "$TDG_ROOT/images/layers" | cut -f1)
    # The base (about 1 MB of busybox) is stored once: "other" adds a few KB.
    ((after - before < 100)) || fail "the store grew by $((after - before)) KB for a shared base"
    expect_eq "$(layers | wc -l)" 3 "layers: base, top, other's"
    # rmi refuses while a container of it exists, then keeps the shared base.
    "$TDG" run --net none --name c1 --image "127.0.0.1:$REG/test/two" true
    capture "$TDG" rmi "127.0.0.1:$REG/test/two"
    expect_error 125 "container"
    "$TDG" rm c1 >/dev/null
    capture "$TDG" rmi "127.0.0.1:$REG/test/two"
    expect_eq "$RC" 0 "rmi" || fail "stderr: $ERR"
    expect_eq "$(layers | wc -l)" 2 "layers after rmi: base and other's"
    capture "$TDG" run --net none --image "127.0.0.1:$REG/test/other"
    expect_eq "$OUT" other "the other image, on the kept base"
    capture "$TDG" images
    expect_not_contains "$OUT" "test/two"
}

t_concurrent_pulls_of_the_same_layers_both_succeed() {
    start_registry
    local a b
    start_bg "$TDG_ROOT/a.out" "$TDG" pull "127.0.0.1:$REG/test/two"
    a=$BG_PID
    start_bg "$TDG_ROOT/b.out" "$TDG" pull "localhost:$REG/test/other"
    b=$BG_PID
    wait_bg "$a"
    expect_eq "$RC" 0 "the first pull" || fail "$(cat "$TDG_ROOT/a.out")"
    wait_bg "$b"
    expect_eq "$RC" 0 "the second pull" || fail "$(cat "$TDG_ROOT/b.out")"
    expect_eq "$(layers | wc -l)" 3 "layers stored"
    expect_two_inside "127.0.0.1:$REG/test/two"
}

run_tests "$@"
