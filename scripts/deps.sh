#!/usr/bin/env bash
# scripts/deps.sh GROUP... — install the Debian packages a group needs, but only
# the ones that are missing, so `make` can call this on every run for free.
#
#   build  compiler and headers for `make dayNN`, and iptables to run day 09
#   test   build + what the test suite uses (cmocka, ip, ps/pgrep, unshare/nsenter,
#          clang for the fuzz targets)
#   bench  build + what `make bench` compares against and draws with
#
# Later lessons add packages to these arrays (e.g. libnl-route-3-dev, libjansson-dev).
set -euo pipefail

BUILD_PKGS=(gcc make pkg-config libc6-dev
    libjansson-dev # day 04: config.json, through a well-kept JSON library
    libnl-3-dev libnl-route-3-dev # day 08: links, addresses, routes over netlink
    iptables # day 09: NAT for bridged containers (run time, not build time)
    # day 10: tdg import; the static libraries libarchive needs for tar, ACLs,
    # zstd, bzip2, xz and gzip (libarchive-dev alone brings only the shared ones)
    libarchive-dev libacl1-dev libzstd-dev libbz2-dev liblzma-dev zlib1g-dev
    curl # day 10: tdg import URL downloads with it, tdg pull talks to registries with it (run time)
    nettle-dev # day 10: SHA-256 of image blobs (static libnettle)
    libcap-dev libseccomp-dev # day 10: capabilities and the seccomp filter
)
TEST_PKGS=("${BUILD_PKGS[@]}" libcmocka-dev iproute2 procps util-linux jq strace
    qemu-system-x86 # day 07: the cgroup v2 guest (tests/v2guest)
    tmux # day 10: tests drive -it through a real terminal
    python3 # day 10: the import tests craft tarballs and serve them over loopback HTTP
    docker-registry skopeo umoci # day 10: tests/day10-images.sh makes images and serves them
    clang libclang-rt-dev # tests/fuzz: libFuzzer targets (clang's runtime is only recommended)
    time # days 09-10: the load test's peak memory of `tdg run` (GNU time's %M)
    libcap2-bin # docs/security.md: capsh decodes a capability mask
)
# make bench: the two OCI runtimes tdg is measured against, the timer, the chart
BENCH_PKGS=("${BUILD_PKGS[@]}" crun runc hyperfine gnuplot-nox
    util-linux jq time procps # the unshare floor; reading hyperfine's JSON; peak memory; ps
)

# The same packages under Fedora's names (dnf), for a host without apt.
# As Fedora spells them (its own package names, as public install scripts
# use them), never tried on Fedora here: untested. A
# package not named here has the same name there. Fedora ships few static
# archives (jansson, libnl3, libseccomp have none): build with make
# STATIC=0 there (the Makefile also falls back to it by itself).
declare -A DNF=(
    [pkg-config]=pkgconf-pkg-config [libc6-dev]="glibc-devel glibc-static"
    [libjansson-dev]=jansson-devel [libnl-3-dev]=libnl3-devel [libnl-route-3-dev]=libnl3-devel
    [libarchive-dev]=libarchive-devel [libacl1-dev]=libacl-devel [libzstd-dev]=libzstd-devel
    [libbz2-dev]=bzip2-devel [liblzma-dev]=xz-devel [zlib1g-dev]=zlib-devel
    [libcap-dev]=libcap-devel [libseccomp-dev]=libseccomp-devel [nettle-dev]=nettle-devel
    [libcmocka-dev]=libcmocka-devel [iproute2]=iproute [procps]=procps-ng
    [libclang-rt-dev]=compiler-rt [libcap2-bin]=libcap [gnuplot-nox]=gnuplot-minimal
)

usage() {
    echo "usage: scripts/deps.sh GROUP...   (groups: build, test, bench)"
    echo "Installs the missing Debian packages of each GROUP; prints nothing if none are missing."
}

[[ $# -gt 0 ]] || { usage >&2; exit 2; }

wanted=()
for group in "$@"; do
    case "$group" in
        build) wanted+=("${BUILD_PKGS[@]}") ;;
        test) wanted+=("${TEST_PKGS[@]}") ;;
        bench) wanted+=("${BENCH_PKGS[@]}") ;;
        -h | --help) usage; exit 0 ;;
        *) echo "tdg: unknown dependency group: $group; use build, test or bench" >&2; exit 2 ;;
    esac
done

# No apt (Fedora, Arch, openSUSE...): say what is needed, under both names,
# rather than fail on a missing apt-get. With rpm, only what is missing
# (by what packages provide); TDG_DEPS=installed skips the check.
no_apt() {
    local pkg name debs=() names=() have=() missing=()
    for pkg in "${wanted[@]}"; do
        [[ " ${debs[*]} " == *" $pkg "* ]] || debs+=("$pkg")
        for name in ${DNF[$pkg]:-$pkg}; do
            [[ " ${names[*]} " != *" $name "* ]] || continue
            names+=("$name")
            if command -v rpm >/dev/null && rpm -q --whatprovides "$name" >/dev/null 2>&1; then
                have+=("$name")
            else
                missing+=("$name")
            fi
        done
    done
    [[ "${TDG_DEPS:-}" != installed && ${#missing[@]} -gt 0 ]] || exit 0
    echo "tdg: scripts/deps.sh installs with apt (Debian, Ubuntu), and this host has no apt-get."
    if command -v rpm >/dev/null; then
        echo "Missing (by rpm; ${#have[@]} others are there), Fedora's names (from its package lists, untested):"
    else
        echo "Install these with your package manager. Fedora's names (from its package lists, untested):"
    fi
    echo "  dnf install ${missing[*]}"
    echo "The same on Debian/Ubuntu (what tdg is tested with):"
    echo "  apt-get install ${debs[*]}"
    echo "Most distributions other than Debian ship no static archives of these"
    echo "libraries: build with make STATIC=0 (make falls back to it by itself)."
    echo "Once they are installed: TDG_DEPS=installed make ... skips this check."
    exit 1
} >&2

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    no_apt
fi

# dpkg-query is fast and needs no root; a package counts only when fully
# installed (not merely unpacked or removed with its config left behind).
installed() {
    # shellcheck disable=SC2016  # ${Status} is a dpkg-query field, not a shell variable
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing=()
for pkg in "${wanted[@]}"; do
    # `test` and `bench` repeat the build packages; list each missing package once.
    if ! installed "$pkg" && [[ " ${missing[*]} " != *" $pkg "* ]]; then
        missing+=("$pkg")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $EUID -ne 0 ]]; then
    echo "tdg: missing packages: ${missing[*]}; run as root: sudo scripts/deps.sh $*" >&2
    exit 1
fi

echo "deps: installing ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >"$log" 2>&1
}
apt_update() {
    apt-get update -q >"$log" 2>&1 || { cat "$log" >&2; echo "tdg: apt-get update failed" >&2; exit 1; }
}
fail_install() {
    cat "$log" >&2
    echo "tdg: apt-get install ${missing[*]} failed" >&2
    exit 1
}

# A fresh container image ships with empty package lists: apt cannot find
# anything until `apt-get update`. Otherwise try the lists we have first and
# refresh them (once) only if they turn out to be stale.
if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
    apt_update
    updated=1
fi
if ! apt_install; then
    [[ -z "${updated:-}" ]] || fail_install # the lists are fresh: a real failure
    apt_update
    apt_install || fail_install
fi
