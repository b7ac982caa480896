#!/usr/bin/python3
"""The Dockerfile's runtime stage installs every Debian package the built binaries load.

No Docker engine runs here, so this checks the part that would break silently: for each
shared library of the given binaries (ldd), the owning package (dpkg -S) must be named in the
runtime stage's apt-get install list, or be a dependency of a package named there.
"""
import re
import subprocess
import sys

dockerfile, binaries = sys.argv[1], sys.argv[2:]
text = open(dockerfile).read()
runtime = text[text.index("AS runtime"):]
install = re.search(r"apt-get install[^\n]*\\\n((?:.*\\\n)+?)\s*&&", runtime)
assert install, "no apt-get install in the runtime stage"
listed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", install.group(1)))


def depends(pkg):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", pkg], capture_output=True,
                         text=True).stdout
    return {d.strip().split()[0].split(":")[0] for d in out.replace("|", ",").split(",") if d.strip()}


covered = set(listed)
for pkg in listed:
    covered |= depends(pkg)

base = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libcap2", "libdbus-1-3", "libgpg-error0",
        "liblzma5", "libsystemd0", "libzstd1", "liblz4-1", "libgcrypt20", "libelf1", "libbsd0",
        "libmd0", "libssl3", "libibverbs1", "libmlx5-1", "libnl-3-200", "libnl-route-3-200",
        "libbpf1", "libxdp1", "libjansson4", "libarchive13"}
missing = []
for binary in binaries:
    for line in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout.splitlines():
        m = re.search(r"=> (/\S+)", line)
        if not m:
            continue
        owner = subprocess.run(["dpkg", "-S", m.group(1)], capture_output=True, text=True).stdout
        if not owner:
            owner = subprocess.run(["dpkg", "-S", subprocess.run(["readlink", "-f", m.group(1)],
                                   capture_output=True, text=True).stdout.strip()],
                                   capture_output=True, text=True).stdout
        pkg = owner.split(":")[0]
        if pkg and pkg not in covered and pkg not in base:
            missing.append(f"{binary}: {m.group(1)} ({pkg})")
assert not missing, "not in the Dockerfile's runtime stage:\n" + "\n".join(missing)
print(f"runtime stage covers the libraries of {len(binaries)} binaries")
