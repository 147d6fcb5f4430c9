#!/usr/bin/env bash
# scripts/mkrootfs.sh [--force] [busybox|alpine] [DEST] — build a root filesystem
# for `tdg run --rootfs DEST`.
#
#   busybox (default)  offline: one static busybox from Debian's busybox-static
#                      package plus its applet links and a minimal /etc.
#                      Needs only the host's apt lists, not root, not the internet.
#                      Without apt (or with TDG_BUSYBOX=PATH): the host's own
#                      static busybox instead.
#   alpine             a pinned Alpine minirootfs from dl-cdn.alpinelinux.org
#                      (needs the internet; checked against a hard-coded SHA-256).
#
# DEST defaults to rootfs/busybox or rootfs/alpine at the top of the repo.
# The rootfs is assembled in a temp dir next to DEST and moved into place at the
# end, so an interrupted build never leaves a half-made rootfs behind.
set -euo pipefail

# Pinned Alpine release. The checksums are those published by Alpine next to each
# tarball, e.g.
#   https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz(.sha256)
#   https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/aarch64/alpine-minirootfs-3.20.3-aarch64.tar.gz(.sha256)
# To bump: change the version and copy both .sha256 values from that page.
ALPINE_VERSION=3.20.3
ALPINE_SHA256_x86_64=d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c
ALPINE_SHA256_aarch64=041fa34a81788242df9e78fa69b97ab45b8ec47ddbf88864755610414a7bf3de

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
    cat <<EOF
usage: scripts/mkrootfs.sh [--force] [busybox|alpine] [DEST]

  busybox   (default) offline rootfs from Debian's busybox-static; DEST defaults to rootfs/busybox
  alpine    Alpine $ALPINE_VERSION minirootfs, downloaded (needs internet); DEST defaults to rootfs/alpine
  --force   rebuild even if DEST is already built
DEST given without a kind must contain a / (e.g. ./myroot); relative paths are from the current directory.
EOF
}

die() { echo "tdg: $*" >&2; exit 1; }

force=0 kind="" dest=""
for arg in "$@"; do
    case "$arg" in
        -h | --help) usage; exit 0 ;;
        -f | --force) force=1 ;;
        -*) usage >&2; exit 2 ;;
        *)
            # The first word may name the flavour; any other word is DEST (once).
            # A lone word that is neither flavour nor path is taken for a typo
            # ("alpin"), not for a DEST to create in the current directory.
            if [[ -z "$kind$dest" && ( "$arg" == busybox || "$arg" == alpine ) ]]; then
                kind=$arg
            elif [[ -z "$kind$dest" && "$arg" != */* ]]; then
                die "mkrootfs: unknown rootfs kind: $arg; use busybox or alpine (or a DEST path like ./$arg)"
            elif [[ -z "$dest" ]]; then
                dest=$arg
            else
                usage >&2; exit 2
            fi
            ;;
    esac
done
kind=${kind:-busybox}
dest=${dest:-$TOP/rootfs/$kind}
dest=${dest%/}
[[ -n "$dest" && "$(realpath -m "$dest")" != / ]] || die "mkrootfs: refusing to use / as DEST"

# Both flavours have a busybox and an os-release; their presence means a build finished.
if [[ -f "$dest/bin/busybox" && -f "$dest/etc/os-release" && $force -eq 0 ]]; then
    echo "rootfs: $dest already built"
    exit 0
fi
# Never delete something that is not ours without being told to.
if [[ -e "$dest" && $force -eq 0 ]] && [[ ! -d "$dest" || -n "$(ls -A "$dest")" ]]; then
    die "mkrootfs: $dest exists but is not a built rootfs; remove it or pass --force"
fi

# The staging dir sits next to DEST (same filesystem) so the final mv is a rename.
mkdir -p "$(dirname "$dest")"
stage=$(mktemp -d "$(dirname "$dest")/.$(basename "$dest").tmp.XXXXXX")
work=$(mktemp -d) # downloads; never inside the rootfs
trap 'rm -rf "$stage" "$work"' EXIT
chmod 0755 "$stage" # mktemp makes it 0700; a container's / must be world-readable

# Move the finished stage into place; a previous DEST is only removed after
# the new one is complete.
install_stage() {
    if [[ -e "$dest" ]]; then
        mv "$dest" "$stage.old"
        mv "$stage" "$dest"
        rm -rf "$stage.old"
    else
        mv "$stage" "$dest"
    fi
}

# A busybox the host already has, for a host without apt: it must be
# static, since a rootfs has no libraries for it to load (a dynamic
# program names its loader in a PT_INTERP program header).
host_busybox() { # PATH: copy it into the stage; its version on stdout
    local bb=$1
    [[ -x "$bb" ]] || die "mkrootfs: TDG_BUSYBOX=$bb is not an executable file"
    if command -v readelf >/dev/null && readelf -l "$bb" 2>/dev/null | grep -q INTERP; then
        die "mkrootfs: $bb is dynamically linked; a rootfs needs a static busybox (Fedora: busybox, untested; or use: scripts/mkrootfs.sh alpine)"
    fi
    mkdir -p "$work/pkg/bin"
    install -m 0755 "$bb" "$work/pkg/bin/busybox"
    "$bb" 2>&1 | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p'
}

build_busybox() {
    local deb version
    if [[ -n "${TDG_BUSYBOX:-}" ]] || ! command -v apt-get >/dev/null; then
        local bb=${TDG_BUSYBOX:-$(command -v busybox || true)}
        [[ -n "$bb" ]] || die "mkrootfs: no apt-get here to fetch Debian's busybox-static, and no busybox on PATH; install a static busybox (Fedora: dnf install busybox, untested) and run: TDG_BUSYBOX=/path/to/busybox scripts/mkrootfs.sh; or: scripts/mkrootfs.sh alpine (needs internet)"
        version=$(host_busybox "$bb")
        echo "rootfs: no apt-get: using the host's busybox $bb (${version:-unknown version})"
        build_busybox_tree "${version:-unknown}"
        return
    fi
    # apt-get download needs no root, only up-to-date package lists.
    # -o APT::Sandbox::User=root avoids a warning when root downloads into a 0700 temp dir.
    local dl=(apt-get -q download -o APT::Sandbox::User=root busybox-static)
    if ! (cd "$work" && "${dl[@]}" >"$work/apt.log" 2>&1); then
        [[ $EUID -eq 0 ]] || { cat "$work/apt.log" >&2; die "mkrootfs: cannot download busybox-static; run 'sudo apt-get update' and retry"; }
        apt-get update -q >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "mkrootfs: apt-get update failed"; }
        (cd "$work" && "${dl[@]}" >"$work/apt.log" 2>&1) || { cat "$work/apt.log" >&2; die "mkrootfs: cannot download busybox-static"; }
    fi
    deb=$(echo "$work"/busybox-static_*.deb)
    version=$(dpkg-deb -f "$deb" Version)
    dpkg-deb -x "$deb" "$work/pkg"
    build_busybox_tree "$version"
}

# The rootfs around $work/pkg/bin/busybox, whichever way it came.
build_busybox_tree() { # VERSION
    local version=$1
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,home,mnt,var/run}
    install -d -m 0700 "$stage/root"
    install -d -m 1777 "$stage/tmp" "$stage/var/tmp" # sticky: anyone may create, only owners delete
    install -m 0755 "$work/pkg/bin/busybox" "$stage/bin/busybox"

    # busybox picks the applet from argv[0], so every applet is just a link to it.
    # Relative links (../../bin/busybox) resolve both inside the container and
    # when the rootfs is inspected from the host.
    local applet up n=0
    while read -r applet; do
        [[ -n "$applet" && "$applet" != bin/busybox && ! -e "$stage/$applet" ]] || continue
        up=${applet//[!\/]/} # one "../" per slash in the path
        up=${up//\//../}
        mkdir -p "$(dirname "$stage/$applet")"
        ln -s "${up}bin/busybox" "$stage/$applet"
        n=$((n + 1))
    done < <("$stage/bin/busybox" --list-full)

    cat >"$stage/etc/os-release" <<EOF
NAME="tdg busybox"
ID=tdg-busybox
VERSION_ID="$version"
PRETTY_NAME="tdg busybox rootfs (busybox $version)"
EOF
    cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
    # Mount points for the files each container gets of its own (day 09
    # binds them over these), so the rootfs folder is never written.
    : >"$stage/etc/hosts"
    : >"$stage/etc/resolv.conf"
    : >"$stage/etc/hostname"
    install_stage
    echo "rootfs: built $dest (busybox $version, $n applets)"
}

build_alpine() {
    local arch sha url file
    arch=$(uname -m)
    case "$arch" in
        x86_64) sha=$ALPINE_SHA256_x86_64 ;;
        aarch64 | arm64) arch=aarch64 sha=$ALPINE_SHA256_aarch64 ;;
        *) die "mkrootfs: no pinned Alpine checksum for architecture $arch; use: scripts/mkrootfs.sh busybox" ;;
    esac
    url="https://dl-cdn.alpinelinux.org/alpine/v${ALPINE_VERSION%.*}/releases/$arch/alpine-minirootfs-$ALPINE_VERSION-$arch.tar.gz"
    file="$work/${url##*/}"

    echo "rootfs: downloading $url"
    if command -v curl >/dev/null; then
        curl -fL --progress-bar -o "$file" "$url" || die "mkrootfs: download failed: $url"
    elif command -v wget >/dev/null; then
        wget -q --show-progress -O "$file" "$url" || die "mkrootfs: download failed: $url"
    else
        die "mkrootfs: neither curl nor wget found; install one (apt-get install curl)"
    fi
    # Never unpack an archive we cannot vouch for.
    if ! echo "$sha  $file" | sha256sum -c --status; then
        rm -f "$file"
        die "mkrootfs: SHA-256 mismatch for ${url##*/} (expected $sha); download deleted"
    fi
    # -p keeps modes (and, as root, owners) exactly as Alpine ships them.
    tar -xzpf "$file" -C "$stage"
    install_stage
    echo "rootfs: built $dest (alpine $ALPINE_VERSION, $arch)"
}

"build_$kind"
