#!/usr/bin/env bash
# The Debian package, as an operator gets it: built from a copy of this tree with
# dpkg-buildpackage (DEB_BUILD_OPTIONS=nocheck: the suite runs elsewhere), checked by lintian
# (no error), its Depends resolvable by apt, unpacked into a scratch root (dpkg -x), and run
# from there: ampguard --demo from the installed /usr/sbin path with the installed config, the
# installed unit's ExecStart refusing to start without ports, systemd-analyze verify of the
# installed unit, every page of the package rendering with man.
# Usage: package_test.sh SOURCE_DIR [OUT_DIR]   (OUT_DIR keeps the .deb, for the image test)
set -euo pipefail
SRC=$(cd "$1" && pwd)
OUT=${2:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg-buildpackage dh lintian help2man man; do
  command -v "$tool" > /dev/null || { echo "$tool missing (tools/install.sh --test)" >&2; exit 77; }
done
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
tree=$DIR/ampguard-$version
mkdir -p "$tree"
# The working tree as git sees it (tracked and new files, nothing ignored: no build dirs).
git -C "$SRC" ls-files -z -co --exclude-standard | (cd "$SRC" && tar --null -T - -c) | tar -x -C "$tree"

start=$SECONDS
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -us -uc) \
    > "$DIR/build.log" 2>&1; then
  tail -n 40 "$DIR/build.log" >&2
  fail "dpkg-buildpackage failed"
fi
echo "package built in $((SECONDS - start)) s"
deb=$DIR/ampguard_${version}_amd64.deb
[ -f "$deb" ] || fail "no $deb"
[ -z "$OUT" ] || cp "$deb" "$OUT/"

# lintian: no error; warnings are printed (debian/ampguard.lintian-overrides says why any is
# overridden).
lintian --fail-on error --display-info "$deb" | tee "$DIR/lintian.log" || fail "lintian errors"
echo "lintian: $(grep -c '^E:' "$DIR/lintian.log" || true) errors, $(grep -c '^W:' "$DIR/lintian.log" || true) warnings"

# Metadata: the plugins no linker sees are Depends, the NIC drivers Recommends, the conffiles.
depends=$(dpkg-deb -f "$deb" Depends)
for p in librte-mempool-ring23 librte-net-pcap23 librte-net-null23 librte-net-ring23 \
    librte-eal23 libboost-program-options1.74.0 libprometheus-cpp-pull1.0; do
  grep -q "\b$p\b" <<<"$depends" || fail "Depends lacks $p: $depends"
done
grep -q librte-net-ixgbe23 <<<"$(dpkg-deb -f "$deb" Recommends)" || fail "Recommends lacks ixgbe"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles > "$DIR/conffiles"
grep -qx /etc/ampguard/ampguard.conf "$DIR/conffiles" || fail "ampguard.conf not a conffile"
grep -qx /etc/default/ampguard "$DIR/conffiles" || fail "/etc/default/ampguard not a conffile"
# Every dependency exists in the archive this machine uses (a simulated install of the .deb).
apt-get -s -q install "$deb" > "$DIR/apt.log" 2>&1 || { cat "$DIR/apt.log" >&2; fail "apt cannot install it"; }

root=$DIR/root
dpkg -x "$deb" "$root"
for f in usr/sbin/ampguard usr/bin/ampguardctl etc/ampguard/ampguard.conf etc/default/ampguard \
    lib/systemd/system/ampguard.service usr/share/ampguard/grafana-dashboard.json \
    usr/share/ampguard/prometheus.yml usr/share/man/man5/ampguard.conf.5.gz \
    usr/share/man/man8/ampguard.8.gz usr/share/man/man8/ampguardctl.8.gz \
    usr/share/bash-completion/completions/ampguardctl; do
  [ -e "$root/$f" ] || fail "the package lacks /$f"
done
! grep -q "^AMPGUARD_EAL=" "$root/etc/default/ampguard" || fail "/etc/default/ampguard sets EAL args"
unit=$root/lib/systemd/system/ampguard.service
! grep -q /usr/local "$unit" || fail "the installed unit names /usr/local: $(grep /usr/local "$unit")"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == "/usr/sbin/ampguard --config /etc/ampguard/ampguard.conf -- \$AMPGUARD_EAL" ]] ||
  fail "ExecStart: $exec_start"
for page in man5/ampguard.conf.5 man8/ampguard.8 man8/ampguardctl.8; do
  # Read whole before grep: grep -q stopping early would fail the pipeline on SIGPIPE.
  text=$(MANWIDTH=100 man -l "$root/usr/share/man/$page.gz")
  grep -q "^NAME" <<<"$text" || fail "$page does not render"
done
text=$(MANWIDTH=200 man -l "$root/usr/share/man/man5/ampguard.conf.5.gz")
grep -q "block.state-file" <<<"$text" ||
  fail "ampguard.conf(5) lacks block.state-file"

# The unit's start with an empty /etc/default/ampguard: exit 2, "no ports".
set +e
env -i "$root/usr/sbin/ampguard" --config "$root/etc/ampguard/ampguard.conf" -- > "$DIR/noports" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "^ampguard: no ports:" "$DIR/noports" || fail "start without ports: rc $rc $(cat "$DIR/noports")"

# The demo from the installed path, with the installed config (the libraries and DPDK plugins
# are this machine's: the package's Depends, checked above to resolve).
(cd "$DIR" && timeout 300 "$root/usr/sbin/ampguard" --demo --config "$root/etc/ampguard/ampguard.conf") \
  > "$DIR/demo.log" 2>&1 || { tail -n 30 "$DIR/demo.log" >&2; fail "the installed demo failed"; }
grep -q "^DNS-amplification protection: blocked" "$DIR/demo.log" || fail "no block line: $(tail "$DIR/demo.log")"
grep -q "^ampguard summary" "$DIR/demo.log" || fail "no summary: $(tail "$DIR/demo.log")"
echo "installed demo: $(grep -c '^DNS-amplification protection: blocked' "$DIR/demo.log") block line(s), summary printed"

# systemd-analyze verify against the installed tree (its ExecStart binary must exist there).
if command -v systemd-analyze > /dev/null; then
  # The units and commands the unit names that other packages provide (dev-hugepages.mount and
  # the targets: systemd; /bin/kill: procps) come from this machine, without replacing ours.
  cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
  mkdir -p "$root/bin" && cp /bin/kill "$root/bin/"
  if ! systemd-analyze verify --root="$root" /lib/systemd/system/ampguard.service \
      > "$DIR/verify.log" 2>&1; then
    cat "$DIR/verify.log" >&2
    fail "systemd-analyze verify"
  fi
  [ ! -s "$DIR/verify.log" ] || { cat "$DIR/verify.log" >&2; fail "systemd-analyze verify warned"; }
  echo "systemd-analyze verify: clean"
else
  echo "systemd-analyze missing (apt package systemd)" >&2
  exit 77
fi
echo "package ok: $(basename "$deb")"
