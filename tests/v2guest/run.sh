#!/usr/bin/env bash
# tests/v2guest/run.sh -- CMD [ARG...]
#
# Runs CMD (as root, from bash: an argv, like sudo's; use sh -c '...' for a
# shell line) inside a small qemu guest whose only cgroup
# hierarchy is cgroup2 at /sys/fs/cgroup, and exits with CMD's exit status.
#
# Why a guest: this host (and CI) mounts cgroup v1 (hybrid), and a mounted v1
# controller can never be attached to a v2 hierarchy at the same time, so tdg's
# cgroup v2 code cannot be exercised for real here. A guest kernel booted by
# qemu with software emulation (no /dev/kvm) has its own cgroups and mounts
# cgroup2 alone. See shared/notes/cgroup-v2-guest.md for the measured facts.
#
# What the guest sees: the host's / shared read-only over virtio-9p, with a
# tmpfs overlay on top, so every host binary and the built tree are at the
# same paths, and the guest may write anywhere (tests/out, /var, ...) without
# touching the host: everything written is lost at power-off. CMD runs in the
# current directory (the repo top when run as tests/v2guest/run.sh), with
# stdin from /dev/null, PATH set, HOME=/root and V2GUEST=1. /run and /dev/shm
# are fresh tmpfs, not the host's; /tmp is the host's, writable through the
# overlay (a CI clone may live there). The share is cached in the guest
# (cache=loose): do not rebuild the tree while a guest runs, or it may read a
# binary half old, half new (seen: day 05 -d tests timing out after a rebuild).
#
# Inputs are cached under build/v2guest/ (never tracked; `make clean` removes
# them): the distribution's amd64 kernel unpacked from its package (Debian's
# linux-image-amd64, Ubuntu's linux-image-generic; never installed on the
# host) or else the host's own running kernel, a static busybox, and the uncompressed kernel extracted from the
# bzImage. qemu-system-x86 is apt-installed if missing (needs root once).
#
# Environment:
#   V2GUEST_TIMEOUT=300       seconds from launch to power-off, per attempt
#   V2GUEST_BOOT_TIMEOUT=90   seconds for the guest's first life sign; past it
#                             the boot counts as silent and is retried once
#   V2GUEST_MODULES="..."     extra kernel modules to insmod, e.g. "xt_nat
#                             dummy" (their dependencies come first on their
#                             own; a soft dependency must be listed by hand,
#                             before its user). 9p, overlay and what tdg's
#                             networking needs (NET_MODULES) are always loaded.
#   V2GUEST_ENV="CI FOO"      host variables to export into CMD's environment
#   V2GUEST_MEM=1024          guest memory in MiB (tmpfs writes count here)
#   V2GUEST_BZIMAGE=1         boot the compressed bzImage instead of the
#                             extracted vmlinux (slower; a fallback)
#   V2GUEST_KERNEL=host       boot the host's running kernel (/boot, /lib/modules)
#                             instead of the distribution's package; =DIR an
#                             unpacked one (DIR/boot/vmlinuz-V, DIR/lib/modules/V)
#   V2GUEST_ACCEL=tcg         qemu accelerator; kvm only where /dev/kvm works
#   V2GUEST_VERBOSE=1         show the guest's boot lines and qemu's command
#
# Exit status: CMD's, read from the guest's last "V2GUEST-EXIT <status>" line,
# never qemu's own (a guest panic makes qemu exit 0 too). No such line: 1.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$TOP/build/v2guest
TIMEOUT=${V2GUEST_TIMEOUT:-300}
BOOT_TIMEOUT=${V2GUEST_BOOT_TIMEOUT:-90}
MEM=${V2GUEST_MEM:-1024}
# What the guest needs for its root: the virtio PCI transport, 9p over virtio
# and overlayfs. Their own dependencies (virtio_ring, netfs, fscache, ...) are
# found from each module's modinfo, so this list survives kernel updates.
BASE_MODULES="virtio_pci 9pnet_virtio 9p overlay"
# What tdg's networking needs from day 08 on (veth pairs, a bridge, iptables-nft
# NAT with comment and conntrack matches); without them, day 09's default
# bridge mode fails every run. crc32c_generic is a soft dependency of
# libcrc32c (nf_conntrack's), not in its depends=, so it is named first.
# Day 10's -p adds DNAT rules matching -p tcp/udp --dport and -m addrtype
# (xt_nat, xt_tcpudp, xt_addrtype). Loading them costs no measurable boot
# time.
NET_MODULES="veth bridge crc32c_generic nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_MASQUERADE xt_comment xt_conntrack xt_nat xt_tcpudp xt_addrtype"
# Lines the guest's /init prints before CMD starts begin with this; they are
# life signs for the host and hidden unless V2GUEST_VERBOSE is set.
BOOT_TAG=v2guest-boot:

die() { echo "v2guest: $*" >&2; exit 1; }
# v2_only_host: /sys/fs/cgroup is cgroup2 and no v1 hierarchy is mounted
# anywhere (a hybrid host has both: v1 controllers plus cgroup2 at
# /sys/fs/cgroup/unified). tests/run.sh asks the same through --is-v2-only.
v2_only_host() {
    [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs && -e /sys/fs/cgroup/cgroup.controllers ]] &&
        ! awk '$3 == "cgroup" { found = 1 } END { exit !found }' /proc/self/mounts
}
say() { echo "v2guest: $*" >&2; }

usage() {
    cat <<'EOF'
usage: tests/v2guest/run.sh [--shell | --is-v2-only] -- CMD [ARG...]
Runs CMD with bash as root in a qemu guest with cgroup2 at /sys/fs/cgroup and
the host's / as a throw-away overlay; exits with CMD's status.
--shell (an interactive guest shell) is not implemented.
On a host that is already cgroup v2 only, CMD runs here, without a guest.
--is-v2-only: exit 0 on such a host, 1 otherwise.
EOF
}

while (($#)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --is-v2-only) v2_only_host; exit ;; # exit 0 on a v2-only host
        --shell) die "--shell is not implemented; run a command instead" ;;
        --) shift; break ;;
        *) break ;; # "run.sh CMD ..." without -- works too
    esac
done
(($#)) || { usage >&2; exit 2; }

# Already on cgroup v2 alone: inside such a guest (say, tests/run.sh run in
# one calls this script again), or on a host that boots v2-only (Debian 12,
# Ubuntu 22.04+, Fedora, a Lima VM). cgroup2 is the only hierarchy here, so
# just run CMD: a guest would only be slower. V2GUEST=1 tells CMD it is on v2.
if [[ ${V2GUEST:-} == 1 && $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]] || v2_only_host; then
    [[ ${V2GUEST:-} == 1 ]] || say "this host is cgroup v2 only; running the command here, no guest"
    export V2GUEST=1
    exec "$@"
fi

# ---------------------------------------------------------------------------
# 1. Inputs (cached). One lock, so two runs started together (make -j) never
#    unpack into the same folder at once.
# ---------------------------------------------------------------------------
mkdir -p "$CACHE"
exec {lockfd}>"$CACHE/.lock"
flock "$lockfd"

apt_updated=0
# apt-get/apt-cache with one `apt-get update` on the first failure: a fresh
# machine has no package lists, and a kernel ABI name goes stale after each
# security update.
apt_retry() {
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then cat "$log"; rm -f "$log"; return 0; fi
    if ((apt_updated == 0)) && ((EUID == 0)); then
        apt_updated=1
        say "apt could not do '$*'; running apt-get update once" >&2
        apt-get update -q >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "apt-get update failed"; }
        if "$@" >"$log" 2>&1; then cat "$log"; rm -f "$log"; return 0; fi
    fi
    cat "$log" >&2
    rm -f "$log"
    return 1
}

# qemu: only the x86 system emulator, without the recommended GUI/firmware
# extras (~12 s). The options below avoid every device whose ROM lives in a
# recommended package (-nic none, -vga none).
if ! command -v qemu-system-x86_64 >/dev/null; then
    ((EUID == 0)) || die "qemu-system-x86_64 is missing; run: sudo apt-get install --no-install-recommends qemu-system-x86"
    say "installing qemu-system-x86 (once)"
    export DEBIAN_FRONTEND=noninteractive
    apt_retry apt-get install -y -q --no-install-recommends qemu-system-x86 >/dev/null ||
        die "cannot install qemu-system-x86"
fi

# apt-get download needs no root; APT::Sandbox::User=root silences a warning
# when root downloads into a 0700 temp dir (as scripts/mkrootfs.sh does).
apt_download() { # DIR PACKAGE
    (cd "$1" && apt_retry apt-get -q download -o APT::Sandbox::User=root "$2" >/dev/null)
}

# busybox: the guest's /init runs on it, and it powers the guest off. Only the
# binary is kept; it is static, so it runs from the initramfs as it is.
if [[ ! -x $CACHE/busybox ]]; then
    t=$(mktemp -d)
    apt_download "$t" busybox-static || die "cannot download busybox-static"
    dpkg-deb -x "$t"/busybox-static_*.deb "$t/x"
    install -m 0755 "$t/x/bin/busybox" "$CACHE/busybox.new"
    mv "$CACHE/busybox.new" "$CACHE/busybox"
    rm -rf "$t"
fi

# Kernel: the distribution's generic amd64 flavour (Debian's cloud one has no
# 9p), from its package, never installed on the host. The metapackage names
# the current ABI package (Debian: linux-image-amd64 -> linux-image-6.1.0-NN-
# amd64; Ubuntu: linux-image-generic -> linux-image-6.8.0-NN-generic, whose
# modules come in linux-modules-6.8.0-NN-generic, 9p's and overlay's among
# them, and linux-modules-extra-... where it exists); resolve it each run,
# from the local package lists, so a security update is picked up. Without
# apt, or when neither metapackage is known, the host's own running kernel
# is booted (/boot/vmlinuz-$(uname -r) and /lib/modules/$(uname -r), root
# only on Ubuntu). V2GUEST_KERNEL=host chooses that directly; V2GUEST_KERNEL=
# DIR boots an unpacked kernel (DIR/boot/vmlinuz-V, DIR/lib/modules/V).
KERNEL_METAS="linux-image-amd64 linux-image-generic"
kernel_dep() { # METAPACKAGE: its linux-image-<abi> dependency, or nothing
    apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -1
}
resolve_kernel() {
    local meta dep
    command -v apt-cache >/dev/null || return 0
    for meta in $KERNEL_METAS; do
        dep=$(kernel_dep "$meta")
        [[ -z $dep ]] || { echo "$dep"; return 0; }
    done
    if ((apt_updated == 0 && EUID == 0)); then
        apt_updated=1
        apt-get update -q >/dev/null 2>&1 || true
        for meta in $KERNEL_METAS; do
            dep=$(kernel_dep "$meta")
            [[ -z $dep ]] || { echo "$dep"; return 0; }
        done
    fi
}
# Unpack PACKAGE.deb from DIR into DIR/x: like `dpkg -x`, minus the ~300 MB
# of hardware drivers a virtio guest never loads (GPUs, sound, wireless,
# USB, ...).
kernel_unpack() { # DIR PACKAGE
    dpkg-deb --fsys-tarfile "$1/$2"_*.deb | tar -x -C "$1/x" \
        --wildcards --exclude='./usr/share/*' \
        --exclude='./lib/modules/*/kernel/sound' \
        --exclude='./lib/modules/*/kernel/drivers/'{gpu,media,infiniband,usb,scsi,iio,hwmon,staging,input,hid,bluetooth,isdn,mmc,mtd,nfc,power,platform,thunderbolt,firewire,ata,md,edac,video,leds,i2c,spi,gnss,w1,comedi} \
        --exclude='./lib/modules/*/kernel/drivers/net/'{wireless,ethernet,usb,can,ieee802154,wwan,hamradio,fddi,arcnet,plip,slip,ppp,wan}
}
kdir=$CACHE/kernel
kpkg=
[[ -n ${V2GUEST_KERNEL:-} ]] || kpkg=$(resolve_kernel)
have=$(cat "$kdir/.package" 2>/dev/null || true)
if [[ -n $kpkg && $have != "$kpkg" ]]; then
    say "fetching kernel package $kpkg (once per kernel update)"
    t=$(mktemp -d "$CACHE/.kernel.tmp.XXXXXX")
    mkdir "$t/x"
    ok=0
    if apt_download "$t" "$kpkg" && kernel_unpack "$t" "$kpkg"; then
        ok=1
        # Ubuntu ships the modules apart from the image.
        for extra in "linux-modules-${kpkg#linux-image-}" "linux-modules-extra-${kpkg#linux-image-}"; do
            apt-cache show "$extra" >/dev/null 2>&1 || continue
            if ! { apt_download "$t" "$extra" && kernel_unpack "$t" "$extra"; }; then ok=0; break; fi
        done
    fi
    if ((ok)); then
        # Ubuntu's usrmerge packages put the modules under usr/lib.
        [[ -d $t/x/lib/modules || ! -d $t/x/usr/lib/modules ]] || ln -s usr/lib "$t/x/lib"
        echo "$kpkg" >"$t/x/.package"
        rm -rf "$kdir.old"
        [[ ! -e $kdir ]] || mv "$kdir" "$kdir.old"
        mv "$t/x" "$kdir"
        rm -rf "$kdir.old" "$t"
    else
        rm -rf "$t"
        [[ -n $have ]] || die "cannot download $kpkg"
        say "cannot download $kpkg; using the cached $have"
    fi
elif [[ -n ${V2GUEST_KERNEL:-} && ${V2GUEST_KERNEL} != host ]]; then
    kdir=$(cd "$V2GUEST_KERNEL" && pwd) || die "V2GUEST_KERNEL=$V2GUEST_KERNEL: no such folder"
elif [[ -z $kpkg && ( -z $have || ${V2GUEST_KERNEL:-} == host ) ]]; then
    # No package: the host's running kernel, read in place.
    hk=$(uname -r)
    [[ -r /boot/vmlinuz-$hk && -d /lib/modules/$hk/kernel ]] ||
        die "no kernel package (apt knows none of: $KERNEL_METAS) and the host's kernel is not readable at /boot/vmlinuz-$hk and /lib/modules/$hk (run as root)"
    say "booting the host's own kernel $hk"
    kdir=$CACHE/host-$hk
    mkdir -p "$kdir/boot" "$kdir/lib/modules"
    ln -sfn "/boot/vmlinuz-$hk" "$kdir/boot/vmlinuz-$hk"
    ln -sfn "/lib/modules/$hk" "$kdir/lib/modules/$hk"
elif [[ -z $kpkg ]]; then
    say "apt cannot resolve any of $KERNEL_METAS; using the cached $have"
fi
vmlinuz=$(echo "$kdir"/boot/vmlinuz-*)
[[ -f $vmlinuz ]] || die "no vmlinuz in $kdir/boot"
kver=${vmlinuz##*/vmlinuz-}
moddir=$kdir/lib/modules/$kver

# The bzImage decompresses itself with XZ, which costs ~6 s under emulation.
# qemu can boot the uncompressed ELF vmlinux directly through its PVH entry
# point (the Debian kernel has CONFIG_PVH=y), so extract it once: the payload
# starts (setup_sects+1)*512 + payload_offset bytes in (boot protocol header
# fields at 0x1f1 and 0x248), and its last 4 bytes are the unpacked size.
vmlinux=$kdir/vmlinux
extract_vmlinux() {
    local ss po pl off size
    ss=$(od -An -tu1 -j$((0x1f1)) -N1 "$vmlinuz" | tr -d ' ')
    ((ss != 0)) || ss=4
    po=$(od -An -tu4 -j$((0x248)) -N4 "$vmlinuz" | tr -d ' ')
    pl=$(od -An -tu4 -j$((0x24c)) -N4 "$vmlinuz" | tr -d ' ')
    off=$(((ss + 1) * 512 + po))
    [[ $(tail -c +$((off + 1)) "$vmlinuz" | head -c 6 | od -An -tx1 | tr -d ' ') == fd377a585a00 ]] ||
        return 1 # not XZ: leave it to the bzImage
    size=$(tail -c +$((off + pl - 3)) "$vmlinuz" | head -c 4 | od -An -tu4 | tr -d ' ')
    # Via a file, not a pipe: xz stops at the end of the stream, before the
    # trailing size bytes, and the writer's SIGPIPE would fail the pipeline.
    tail -c +$((off + 1)) "$vmlinuz" >"$vmlinux.xz"
    xz -dc --single-stream "$vmlinux.xz" >"$vmlinux.tmp" || return 1
    rm -f "$vmlinux.xz"
    [[ $(head -c 4 "$vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 && $(stat -c %s "$vmlinux.tmp") == "$size" ]] ||
        return 1
    mv "$vmlinux.tmp" "$vmlinux"
}
if [[ ! -f $vmlinux || $vmlinux -ot $vmlinuz ]] && [[ -z ${V2GUEST_BZIMAGE:-} ]]; then
    extract_vmlinux || { rm -f "$vmlinux.tmp" "$vmlinux.xz"; say "could not extract vmlinux; booting the bzImage (~6 s slower)"; }
fi
kernel_image=$vmlinux
[[ -f $vmlinux && -z ${V2GUEST_BZIMAGE:-} ]] || kernel_image=$vmlinuz

# ---------------------------------------------------------------------------
# 2. The initramfs. Written as a cpio "newc" archive by hand (the format is a
#    110-byte ASCII header per file), which needs neither the cpio tool nor
#    root for the /dev/console node, and owns every file by root. The base
#    archive (busybox, modules, /init) is cached per input; the command goes
#    in a second archive appended per run (the kernel unpacks concatenated
#    archives in turn).
# ---------------------------------------------------------------------------
export LC_ALL=C # byte lengths for ${#name}
cpio_ino=0
cpio_pad() { local n=$(((4 - $1 % 4) % 4)); ((n == 0)) || head -c "$n" /dev/zero; }
cpio_entry() { # NAME MODE SIZE [RMAJOR RMINOR]; the data, if any, follows
    local name=$1 mode=$2 size=$3
    cpio_ino=$((cpio_ino + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
        "$cpio_ino" "$mode" 0 0 1 0 "$size" 0 0 "${4:-0}" "${5:-0}" $((${#name} + 1)) 0 "$name"
    cpio_pad $((110 + ${#name} + 1))
}
cpio_dir() { cpio_entry "$1" $((0040755)) 0; }
cpio_file() { # NAME MODE HOSTFILE
    local size
    size=$(stat -c %s "$3")
    cpio_entry "$1" "$2" "$size"
    cat "$3"
    cpio_pad "$size"
}
cpio_trailer() { cpio_entry 'TRAILER!!!' 0 0; }

# Modules: insmod (busybox has no depmod data to use modprobe) needs them in
# dependency order; each .ko names its own in its modinfo "depends=" field.
declare -A ko_path=() ko_done=()
ko_order=()
ko_index() {
    local p n
    while IFS= read -r p; do
        n=${p##*/}
        n=${n%%.ko*}
        ko_path[${n//-/_}]=$p
    done < <(cd "$moddir" && find kernel -name '*.ko*')
}
ko_cat() { # decompress on the host: busybox insmod may not read .ko.xz/.zst
    case $1 in
        *.ko.xz) xz -dc "$1" ;;
        *.ko.zst) zstd -qdc "$1" ;;
        *.ko.gz) gzip -dc "$1" ;;
        *) cat "$1" ;;
    esac
}
ko_add() {
    local n=${1//-/_} deps d
    [[ -z ${ko_done[$n]:-} ]] || return 0
    ko_done[$n]=1
    if [[ -z ${ko_path[$n]:-} ]]; then
        grep -qE "/${n//_/[-_]}\.ko" "$moddir/modules.builtin" 2>/dev/null && return 0 # built in
        die "kernel $kver has no module $1"
    fi
    deps=$(ko_cat "$moddir/${ko_path[$n]}" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -1)
    for d in ${deps//,/ }; do ko_add "$d"; done
    ko_order+=("$n")
}

init_script() {
    # Stage 1, PID 1 on busybox in the initramfs: build the root and switch to
    # it. Stage 2 (below) then runs CMD with the host's bash.
    cat <<EOF
#!/bin/busybox sh
# Written by tests/v2guest/run.sh. Errors end with power-off and no
# V2GUEST-EXIT line, which the host reports as "the guest printed no result".
/bin/busybox --install -s /bin
export PATH=/bin
fail() { echo "v2guest: guest init: \$*"; poweroff -f; echo o >/proc/sysrq-trigger; sleep 10; }
echo "$BOOT_TAG kernel \$(uname -r)"
mkdir -p /proc && mount -t proc proc /proc
for m in \$(cat /v2guest/modules); do
    insmod /lib/modules/\$m.ko || fail "insmod \$m failed"
done
# The host's / read-only (qemu refuses writes too: readonly=on). cache=loose:
# the lower layer is taken as unchanging for the guest's short life, which
# saves a round trip to qemu per lookup.
mkdir -p /mnt/host /mnt/rw /newroot
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /mnt/host ||
    fail "cannot mount the host's / over 9p"
# A tmpfs upper layer: the guest may write anywhere; nothing reaches the host.
mount -t tmpfs -o mode=0755 v2guest-rw /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay -o lowerdir=/mnt/host,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work overlay /newroot ||
    fail "cannot mount the overlay root"
# The API file systems of a normal root, and cgroup2 alone (unified), which
# is the point of this guest. No cgroup v1 hierarchy is mounted anywhere.
cd /newroot
mount -t proc proc proc
mount -t sysfs sysfs sys
mount -t cgroup2 -o nsdelegate cgroup2 sys/fs/cgroup || fail "cannot mount cgroup2"
mount -t devtmpfs devtmpfs dev
# What udev would add: bash's process substitution <(...) opens /dev/fd/N.
ln -s /proc/self/fd dev/fd
ln -s /proc/self/fd/0 dev/stdin
ln -s /proc/self/fd/1 dev/stdout
ln -s /proc/self/fd/2 dev/stderr
mkdir -p dev/pts dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts dev/pts
ln -sf pts/ptmx dev/ptmx 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs dev/shm
# No tmpfs over /tmp: the overlay already makes it writable, and the repo
# (a CI clone, say) may itself live under the host's /tmp.
mount -t tmpfs -o mode=0755 tmpfs run
mkdir -p run/v2guest
cp /v2guest/cmd /v2guest/stage2 run/v2guest/
cp /bin/busybox run/v2guest/busybox
hostname v2guest
umount /proc
# switch_root moves /newroot (with its submounts) onto /, chroots into it and
# frees the initramfs. pivot_root(2), which tdg uses, fails when / is the
# initramfs itself; on this overlay root it works.
exec switch_root /newroot /bin/bash /run/v2guest/stage2
EOF
}

stage2_script() {
    cat <<'EOF'
# Stage 2, PID 1 with the host's bash in the overlay root. Sources the command
# the host wrote (/run/v2guest/cmd: V2GUEST_DIR, V2GUEST_ARGV, exports).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb V2GUEST=1
umask 022
BB=/run/v2guest/busybox
$BB ip link set lo up 2>/dev/null
. /run/v2guest/cmd
cd "$V2GUEST_DIR" 2>/dev/null || cd /
echo "v2guest-boot: running in $PWD"
# In a child, so that PID 1 stays to report the status and reap orphans.
status=0
"${V2GUEST_ARGV[@]}" </dev/null || status=$?
echo "V2GUEST-EXIT $status"
# Drain the console before power-off: kill whatever CMD left behind, then
# close PID 1's handles on it; the last close of the serial tty waits until
# its buffer is sent, so no output is lost to the power-off.
kill -KILL -1 2>/dev/null
sleep 0.2
exec </dev/null >/dev/null 2>&1
sync
$BB poweroff -f
echo o >/proc/sysrq-trigger
$BB sleep 10
EOF
}

# The base archive's cache key: every input it is made of.
read -ra mods <<<"$BASE_MODULES $NET_MODULES ${V2GUEST_MODULES:-}"
key=$( {
    echo "$kver ${mods[*]}"
    init_script
    stage2_script
    stat -c '%s %Y' "$CACHE/busybox"
} | sha256sum | cut -c1-16)
base=$CACHE/initramfs-$key.cpio
if [[ ! -f $base ]]; then
    ko_index
    for m in "${mods[@]}"; do ko_add "$m"; done
    t=$(mktemp -d)
    init_script >"$t/init"
    stage2_script >"$t/stage2"
    printf '%s\n' "${ko_order[@]}" >"$t/modules"
    {
        for d in bin dev lib lib/modules proc sys mnt v2guest; do cpio_dir "$d"; done
        # The kernel opens /dev/console for PID 1's stdio before any devtmpfs
        # is mounted; without the node, /init would have no output at all.
        cpio_entry dev/console $((0020600)) 0 5 1
        cpio_file init $((0100755)) "$t/init"
        cpio_file bin/busybox $((0100755)) "$CACHE/busybox"
        cpio_file v2guest/stage2 $((0100644)) "$t/stage2"
        cpio_file v2guest/modules $((0100644)) "$t/modules"
        for m in "${ko_order[@]}"; do
            ko_cat "$moddir/${ko_path[$m]}" >"$t/m.ko"
            cpio_file "lib/modules/$m.ko" $((0100644)) "$t/m.ko"
        done
        cpio_trailer
    } >"$t/base.cpio"
    rm -f "$CACHE"/initramfs-*.cpio
    mv "$t/base.cpio" "$base"
    rm -rf "$t"
fi

# Per run: the command, as a bash file that stage 2 sources. printf %q quotes
# each word so any argv survives unchanged.
run=$(mktemp -d "${TMPDIR:-/tmp}/v2guest.XXXXXX")
watch_pid=
# Stop our qemu, and only it: the pid comes from its own -pidfile, and is
# checked to still be a qemu (the file outlives the process).
kill_qemu() {
    local pid
    pid=$(cat "$run/qemu.pid" 2>/dev/null) || return 0
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == qemu-system-x86* ]] || return 0
    kill "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    [[ -z $watch_pid ]] || kill "$watch_pid" 2>/dev/null || true
    kill_qemu
    rm -rf "$run"
}
trap cleanup EXIT
{
    printf 'V2GUEST_DIR=%q\n' "$PWD"
    printf 'V2GUEST_ARGV=('
    printf '%q ' "$@"
    printf ')\n'
    for v in ${V2GUEST_ENV:-}; do
        [[ -z ${!v+x} ]] || printf 'export %s=%q\n' "$v" "${!v}"
    done
} >"$run/cmd"
cpio_ino=100000
{
    cat "$base"
    cpio_file v2guest/cmd $((0100644)) "$run/cmd"
    cpio_trailer
} >"$run/initrd"
# Only now: another run with other V2GUEST_MODULES may replace the base.
flock -u "$lockfd"

# ---------------------------------------------------------------------------
# 3. Boot. -smp 1 (2 was slower under emulation), no NIC, no VGA, no default
#    devices' ROMs; serial console on stdio. -display none rather than
#    -nographic: the latter also turns on SeaBIOS's serial console, whose
#    banner and escape codes would land in CMD's output. The host's / is shared read-only;
#    multidevs=remap keeps inode numbers unique across the host's mounts.
#    Kernel args: panic=-1 turns a panic into a reboot, which -no-reboot turns
#    into qemu's exit; loglevel=3 keeps only errors on the console.
# ---------------------------------------------------------------------------
# Software emulation (tcg) unless told otherwise: this Firecracker VM has a
# /dev/kvm node, but KVM does not work in it (the guest hangs, burning system
# time), so its mere presence proves nothing. V2GUEST_ACCEL=kvm where it works.
accel=${V2GUEST_ACCEL:-tcg}
# shellcheck disable=SC2054 # commas separate qemu sub-options, not array items
qemu=(qemu-system-x86_64 -machine "pc,accel=$accel" -smp 1 -m "$MEM"
    -display none -no-reboot -nodefaults -serial stdio -vga none -nic none
    -kernel "$kernel_image" -initrd "$run/initrd"
    -append "console=ttyS0 loglevel=3 panic=-1 printk.time=0 8250.nr_uarts=1"
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
    -pidfile "$run/qemu.pid")
[[ -z ${V2GUEST_VERBOSE:-} ]] || say "${qemu[*]}"

# Show the console as it comes: strip the serial line's CRs, keep a copy to
# judge by, and hide the guest's own boot lines.
show() {
    if [[ -n ${V2GUEST_VERBOSE:-} ]]; then
        sed -u 's/\r$//' | tee "$run/console"
    else
        sed -u 's/\r$//' | tee "$run/console" | sed -u -e "/^$BOOT_TAG/d" -e '/^reboot: Power down$/d'
    fi
}

attempt() {
    rm -f "$run/console" "$run/qemu.pid"
    : >"$run/console"
    # Silent-boot watchdog: no life sign within BOOT_TIMEOUT s → stop qemu.
    # Its stdio is /dev/null and its sleep dies with it: a leftover holding our
    # stdout would keep a reader of this script (run.sh | tee) waiting.
    (
        exec </dev/null >/dev/null 2>&1
        sleep "$BOOT_TIMEOUT" &
        sp=$!
        trap 'kill $sp; exit 0' TERM
        wait $sp
        if ! grep -q "$BOOT_TAG" "$run/console"; then
            kill_qemu
        fi
    ) &
    watch_pid=$!
    # qemu's status is deliberately ignored: only the marker counts.
    timeout -k 5 "$TIMEOUT" "${qemu[@]}" </dev/null | show || true
    rm -f "$run/qemu.pid"
    kill "$watch_pid" 2>/dev/null || true
    wait "$watch_pid" 2>/dev/null || true
    watch_pid=
}

for try in 1 2; do
    start=$SECONDS
    attempt
    # Not anchored at the start: CMD's last line may lack its newline.
    status=$(sed -n 's/^.*V2GUEST-EXIT \([0-9][0-9]*\)$/\1/p' "$run/console" | tail -1)
    [[ -z $status ]] || exit "$status"
    if ((try == 1)) && ! grep -q "$BOOT_TAG" "$run/console"; then
        say "the guest gave no sign of life in $((SECONDS - start)) s; booting it again"
        continue
    fi
    ((SECONDS - start < TIMEOUT)) || say "timed out after $TIMEOUT s (V2GUEST_TIMEOUT)"
    break
done
say "the guest printed no result"
exit 1
