#!/usr/bin/env bash
# Installs the Debian 12 packages ampguard needs and reserves 2 MiB hugepages where the kernel
# lets us. Idempotent; used by the README, .ci/run (through tools/test-all.sh) and
# docker/Dockerfile alike.
#
#   tools/install.sh            build and run: what the README's first command needs, nothing more
#   tools/install.sh --package  also what building the Debian package needs (debhelper, help2man
#                               for the man pages): dpkg-buildpackage -b -us -uc; docker/Dockerfile
#   tools/install.sh --test     also the packaging tools, lintian and the test and benchmark
#                               tools (resolvers, clients, Prometheus, sanitizer and fuzzer
#                               runtimes, podman for the image test); their daemons are never
#                               left running or enabled
#
# AMPGUARD_HUGEPAGES=N sets how many pages (default 1024 = 2 GiB).
set -euo pipefail

profile=run
case "${1:-}" in
  "") ;;
  --package) profile=package ;;
  --test) profile=test ;;
  *) echo "usage: tools/install.sh [--package|--test]" >&2; exit 2 ;;
esac

packages=(
  # build (the tests and benchmarks build with the rest) and run
  build-essential cmake pkg-config git
  dpdk dpdk-dev libdpdk-dev libpcap-dev
  libboost-program-options-dev prometheus-cpp-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  libsodium-dev  # DNS server cookies' SipHash-2-4 (the tables' own is tested against it)
  # fleet: gobgpd's gRPC API, C++ stubs generated at build time from its .proto files
  libgrpc++-dev libprotobuf-dev protobuf-compiler-grpc golang-github-osrg-gobgp-dev
)
# debian/control's Build-Depends beyond the above (dpkg-buildpackage checks them).
package_packages=(debhelper help2man man-db python3 dpkg-dev)
test_packages=(
  # the Debian package checked (lintian, systemd-analyze) and the container image built and run
  # (podman with runc; the base image from debootstrap: docs/deployment.md)
  lintian systemd podman runc debootstrap bash-completion
  # independent decoders, real DNS software, namespaces, metrics server
  python3 python3-dnspython tshark iproute2 ethtool curl
  unbound nsd bind9 dnsutils knot-dnsutils dnsperf prometheus
  gobgpd frr  # fleet tests: real BGP speakers (FlowSpec) started by the tests
  # robustness and benchmarks
  clang-14 libfuzzer-14-dev libclang-rt-14-dev gnuplot-nox netsniff-ng nftables iptables procps
)
# Services the test packages ship: the tests start their own, in namespaces, on their own ports.
test_daemons=(unbound nsd named prometheus gobgpd frr)
[ "$profile" = run ] || packages+=("${package_packages[@]}")
[ "$profile" = test ] && packages+=("${test_packages[@]}")

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture: answer no, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  # No package starts a daemon while we install (two of the test ones would take port 53).
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d > /dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  trap '[ -z "$own_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d' EXIT
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ "$profile" = test ] && [ -d /run/systemd/system ]; then
  # Also what an earlier install (or another tool) started or enabled.
  for d in "${test_daemons[@]}"; do
    if systemctl list-unit-files "$d.service" > /dev/null 2>&1; then
      $sudo systemctl disable --now "$d.service" > /dev/null 2>&1 || true
    fi
  done
fi

# Hugepages are a speed-up, not a requirement: tests run with --no-huge when there are none.
want=${AMPGUARD_HUGEPAGES:-1024}
if [ -w /proc/sys/vm/nr_hugepages ]; then
  have=$(cat /proc/sys/vm/nr_hugepages)
  if [ "$have" -lt "$want" ]; then
    echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
  fi
  echo "install.sh: $(cat /proc/sys/vm/nr_hugepages) hugepages of 2 MiB reserved"
  # DPDK's multi-process tools (dpdk-dumpcap, dpdk-proc-info) need them mounted, not just reserved.
  if ! grep -qs ' hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null \
      && echo "install.sh: hugetlbfs mounted on /dev/hugepages" || true
  fi
else
  echo "install.sh: cannot reserve hugepages here (read-only /proc/sys); tests use --no-huge"
fi
