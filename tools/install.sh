#!/usr/bin/env bash
# Installs every Debian 12 package ampguard needs to build, test and benchmark, and reserves
# 2 MiB hugepages where the kernel lets us. Idempotent; used by the README, .ci/run and
# docker/Dockerfile alike. AMPGUARD_HUGEPAGES=N sets how many pages (default 1024 = 2 GiB).
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  dpdk dpdk-dev libdpdk-dev libpcap-dev
  libboost-program-options-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  # tests: independent decoders, real DNS software, namespaces, metrics server
  python3 python3-dnspython tshark iproute2 ethtool
  unbound nsd dnsutils knot-dnsutils dnsperf prometheus
  # robustness and benchmarks
  clang-14 libfuzzer-14-dev libclang-rt-14-dev gnuplot-nox netsniff-ng nftables iptables procps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture: answer no, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
