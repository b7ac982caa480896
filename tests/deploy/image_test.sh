#!/usr/bin/env bash
# The container image, built and run here with Debian's podman (runc, cgroupfs, no default
# ulimits: ../shared/DESIGN.md): the base images come from debootstrap bookworm (no registry is
# reachable; Debian's mirror is), docker/Dockerfile is built from a copy of this tree (its
# build stage builds the .deb, its runtime stage installs it), then
#   1. the image's default command, the demo, must block and print its summary;
#   2. the image runs against two veth-backed af_packet ports in a network namespace: queries
#      from the internet side reach the resolver side, 30 back-to-back large responses to one
#      destination pass 10 (the burst) and the destination is blocked.
# The control socket and metrics keep their defaults: they are the container's own (its
# filesystem, the namespace's loopback).
# Usage: image_test.sh SOURCE_DIR
# AMPGUARD_ROOTFS_CACHE (default /var/tmp/ampguard-bookworm-rootfs.tar): the debootstrap
# tarball, made once and reused (delete it to rebuild from the mirror).
set -euo pipefail
SRC=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (podman, namespaces)" >&2; exit 77; }
for tool in podman runc debootstrap ip python3; do
  command -v "$tool" > /dev/null || { echo "$tool missing (tools/install.sh --test)" >&2; exit 77; }
done
DIR=$(mktemp -d)
ID=agimg$$
NS=$ID
TAG=localhost/ampguard-test:$ID
cleanup() {
  podman --runtime=runc rm -f -t 0 "$ID" > /dev/null 2>&1 || true
  podman --runtime=runc rmi -f "$TAG" > /dev/null 2>&1 || true
  # The build stage's image (untagged, 1.5 GB): only the ones this run made.
  local id
  if [ -f "$DIR/dangling-before" ]; then
    for id in $(podman images -q -f dangling=true 2> /dev/null); do
      grep -qx "$id" "$DIR/dangling-before" || podman rmi -f "$id" > /dev/null 2>&1 || true
    done
  fi
  ip netns del "$NS" 2> /dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
cat > "$DIR/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
CONF
export CONTAINERS_CONF=$DIR/containers.conf
pod() { podman --runtime=runc "$@"; }

# Base images: debootstrap once, imported as both tags the Dockerfile names.
cache=${AMPGUARD_ROOTFS_CACHE:-/var/tmp/ampguard-bookworm-rootfs.tar}
start=$SECONDS
if [ ! -s "$cache" ]; then
  debootstrap --variant=minbase bookworm "$DIR/rootfs" http://deb.debian.org/debian \
    > "$DIR/debootstrap.log" 2>&1 || { tail -n 20 "$DIR/debootstrap.log" >&2; fail "debootstrap"; }
  tar -C "$DIR/rootfs" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
  rm -rf "$DIR/rootfs"
fi
for t in debian:bookworm debian:bookworm-slim; do
  pod image exists "$t" || pod import -q "$cache" "$t" > /dev/null || fail "podman import $t"
done
echo "base images in $((SECONDS - start)) s"

# The build context: the working tree as git sees it (no build directories).
mkdir "$DIR/context"
git -C "$SRC" ls-files -z -co --exclude-standard | (cd "$SRC" && tar --null -T - -c) |
  tar -x -C "$DIR/context"
pod images -q -f dangling=true > "$DIR/dangling-before"
start=$SECONDS
if ! pod build --isolation=chroot --network=host -f docker/Dockerfile -t "$TAG" "$DIR/context" \
    > "$DIR/build.log" 2>&1; then
  tail -n 40 "$DIR/build.log" >&2
  fail "podman build"
fi
echo "image built in $((SECONDS - start)) s"
# The runtime stage got the package, not a hand-made list: dpkg knows ampguard there.
pkg=$(pod run --rm --network=host --entrypoint dpkg-query "$TAG" -W -f='${Package} ${Version}\n' ampguard)
grep -q "^ampguard " <<<"$pkg" || fail "the image has no ampguard package"

# 1. The demo, the image's default command.
pod run --rm --network=host "$TAG" > "$DIR/demo.log" 2>&1 || { tail -n 30 "$DIR/demo.log" >&2; fail "demo in the image"; }
grep -q "^DNS-amplification protection: blocked" "$DIR/demo.log" || fail "image demo: no block line"
grep -q "^ampguard summary" "$DIR/demo.log" || fail "image demo: no summary"
echo "image demo: block line and summary"

# 2. Two veth-backed af_packet ports: bi (inside) <-> ri (the resolver's end), bo (outside)
#    <-> ro (the internet's end), all in one namespace the container joins.
ip netns add "$NS"
ip -n "$NS" link add bi type veth peer name ri
ip -n "$NS" link add bo type veth peer name ro
for l in lo bi ri bo ro; do
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1" 2> /dev/null || true
  ip -n "$NS" link set "$l" up
done
pod run -d --name "$ID" --network="ns:/run/netns/$NS" --cap-add=NET_RAW --cap-add=NET_ADMIN \
  --cap-add=IPC_LOCK "$TAG" --log.syslog=false \
  -- -l 0,1 --no-huge --no-shconf --no-pci -m 256 \
  --vdev=net_af_packet0,iface=bi --vdev=net_af_packet1,iface=bo > /dev/null
for _ in $(seq 100); do
  pod logs "$ID" 2>&1 | grep -q "ampguard: forwarding between" && break
  [ "$(pod inspect -f '{{.State.Running}}' "$ID")" = true ] || break
  sleep 0.2
done
pod logs "$ID" > "$DIR/veth.log" 2>&1
grep -q "ampguard: forwarding between" "$DIR/veth.log" || { cat "$DIR/veth.log" >&2; fail "ampguard did not start on the veths"; }
result=$(ip netns exec "$NS" python3 "$HERE/veth_traffic.py" ri ro)
echo "veth traffic: $result"
pod stop -t 20 "$ID" > /dev/null
pod logs "$ID" > "$DIR/veth.log" 2>&1
[ "$(pod inspect -f '{{.State.ExitCode}}' "$ID")" = 0 ] || { cat "$DIR/veth.log" >&2; fail "ampguard exit status after SIGTERM"; }
python3 - "$result" <<'PY' || { cat "$DIR/veth.log" >&2; fail "traffic through the image"; }
import json, sys
r = json.loads(sys.argv[1])
assert r["queries_arrived"] == 5, r
assert r["large_responses_arrived"] == 10, r
PY
grep -q "^DNS-amplification protection: blocked 198.51.100.7 " "$DIR/veth.log" || { cat "$DIR/veth.log" >&2; fail "no block line for 198.51.100.7"; }
echo "image on veth/af_packet ports: queries forwarded, 10 of 30 large responses passed, destination blocked"
