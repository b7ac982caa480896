#!/usr/bin/python3
"""The image and the package get their runtime libraries from one place: debian/control.

  check_runtime_deps.py DOCKERFILE DEBIAN_CONTROL

1. The Dockerfile's runtime stage installs the ampguard .deb built in its build stage and
   names no library package itself (apt resolves the package's Depends).
2. debian/control's Depends names a package for every DPDK plugin the EAL loads at run time
   that no linker sees (dh_shlibdeps cannot find them): the ring mempool driver and the
   virtual devices the demo, the tests and docs use (net_pcap, net_null, net_ring,
   net_af_packet); each of those packages, where installed here, really ships the plugin.
The built image itself is checked by tests/deploy/image_test.sh (full tier).
"""
import re
import subprocess
import sys

dockerfile, control = sys.argv[1], sys.argv[2]
text = open(dockerfile).read()
runtime = text[text.index("AS runtime"):]
installs = re.findall(r"apt-get install((?:[^\n]*\\\n)*[^\n]*)", runtime)
assert installs, "no apt-get install in the runtime stage"
words = " ".join(installs).replace("\\\n", " ").split("&&")[0].split()
debs = [w for w in words if w.endswith(".deb") and "ampguard_" in w]
assert debs, f"the runtime stage does not install the ampguard .deb: {words}"
assert "COPY --from=build" in runtime, "the runtime stage does not take the build stage's .deb"
named = [w for w in words if re.fullmatch(r"lib[a-z0-9.+-]+", w)]
assert not named, f"the runtime stage lists library packages by hand: {named}"

src = open(control).read()
binary = src[src.index("\nPackage: ampguard"):]
depends = re.search(r"\nDepends:(.*?)\n(?=\S)", binary, re.S).group(1)
packages = {d.strip().split()[0] for d in depends.replace("|", ",").split(",") if d.strip()}
plugins = {"librte-mempool-ring23": "librte_mempool_ring.so",
           "librte-net-pcap23": "librte_net_pcap.so",
           "librte-net-null23": "librte_net_null.so",
           "librte-net-ring23": "librte_net_ring.so",
           "librte-net-af-packet23": "librte_net_af_packet.so"}
missing = sorted(set(plugins) - packages)
assert not missing, f"debian/control Depends lacks the run-time plugins {missing}"
checked = 0
for pkg, so in plugins.items():
    files = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True)
    if files.returncode != 0:
        continue  # not installed here: the package build and image test catch a wrong name
    assert any("/pmds-" in f and so in f for f in files.stdout.split()), f"{pkg} has no {so} plugin"
    checked += 1
print(f"runtime stage installs the .deb; Depends name {len(plugins)} plugins "
      f"({checked} checked against dpkg -L)")
