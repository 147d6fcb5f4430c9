# tests/helpers/pytar.sh — sourced by the day 10 tests that craft archives
# (day10-import.sh, day10-images.sh). Needs PY (a python3).
# shellcheck shell=bash

# pytar OUT BODY: write the tarball OUT (gzip if it ends in .gz) with
# Python's tarfile, which writes names as given, "../" and "/" included.
# BODY calls f(name[, data, mode=, uid=, gid=]), d(name[, mode=]),
# s(name, target) (symlink), h(name, target) (hard link), dev(name).
pytar() {
    "$PY" - "$1" "$2" <<'PY'
import io, sys, tarfile
out, body = sys.argv[1], sys.argv[2]
t = tarfile.open(out, "w:gz" if out.endswith(".gz") else "w", format=tarfile.PAX_FORMAT)
def add(name, kind, data=b"", **kw):
    i = tarfile.TarInfo(name)
    i.type = kind
    for k, v in kw.items():
        setattr(i, k, v)
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
def f(name, data=b"x\n", mode=0o644, **kw): add(name, tarfile.REGTYPE, data, mode=mode, **kw)
def d(name, mode=0o755, **kw): add(name, tarfile.DIRTYPE, mode=mode, **kw)
def s(name, target): add(name, tarfile.SYMTYPE, linkname=target, mode=0o777)
def h(name, target): add(name, tarfile.LNKTYPE, linkname=target)
def dev(name): add(name, tarfile.CHRTYPE, devmajor=8, devminor=0, mode=0o666)
exec(body)
t.close()
PY
}
