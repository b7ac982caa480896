#!/usr/bin/python3
"""Writes ampguard.conf(5) from the binary itself: `ampguard --help` (every option, its default
and its description, grouped as the help groups them) and `ampguard --list-restart-only` (the
options a reload cannot change). Nothing here is a second copy of the options list.

  ampguard_conf_man.py AMPGUARD VERSION > ampguard.conf.5
"""
import re
import subprocess
import sys

ampguard, version = sys.argv[1], sys.argv[2]
help_text = subprocess.run([ampguard, "--help"], check=True, capture_output=True,
                           text=True).stdout
restart_only = set(subprocess.run([ampguard, "--list-restart-only"], check=True,
                                  capture_output=True, text=True).stdout.split())
# Options that only make sense on the command line (they are refused in a config file).
cli_only = {"help", "config", "demo"}

# Boost's layout: "Group:" lines, "  --name [arg] [(=default)]   description" and description
# continuation lines indented past the option column.
groups = []          # [(title, [option dict])]
current = None
for line in help_text.splitlines():
    m = re.match(r"^  (?:-\w \[ )?(?:-\w, )?--([\w.-]+)( arg)?(?: \(=(.*?)\))?\s*(.*)$", line)
    if m and current is not None:
        name, has_arg, default, text = m.groups()
        current[1].append({"name": name, "arg": bool(has_arg), "default": default,
                           "text": text.strip()})
        continue
    if line.startswith("   ") and current is not None and current[1]:
        current[1][-1]["text"] += " " + line.strip()
        continue
    m = re.match(r"^(\S.*):$", line)
    if m and m.group(1) != "Options":
        current = (m.group(1), [])
        groups.append(current)
if not groups or sum(len(g[1]) for g in groups) < 10:
    sys.exit("ampguard_conf_man.py: could not read the option list from ampguard --help")
unknown = restart_only - {o["name"] for g in groups for o in g[1]}
if unknown:
    sys.exit(f"ampguard_conf_man.py: restart-only options not in --help: {sorted(unknown)}")


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in ".'" else text


out = [f'.TH AMPGUARD.CONF 5 "" "ampguard {version}" "File Formats"',
       ".SH NAME", "ampguard.conf \\- configuration file of ampguard(8)",
       ".SH SYNOPSIS", "/etc/ampguard/ampguard.conf",
       ".SH DESCRIPTION",
       "ampguard reads the file given with \\fB\\-\\-config\\fR. An option "
       "\\fIsection.key\\fR is written as \\fIkey = value\\fR under a \\fB[section]\\fR line "
       "(options without a dot come before the first section), and as "
       "\\fB\\-\\-section.key=value\\fR on the command line, which wins over the file. "
       "\\fBallow\\fR and \\fBdeny\\fR may be repeated. Lines starting with \\fB#\\fR are "
       "comments. Values carry their units: durations \\fB600s\\fR, \\fB10m\\fR, "
       "\\fB1h\\fR; sizes \\fB10kB\\fR (k = 1024); rates \\fB50/min\\fR (packets) or "
       "\\fB50kB/min\\fR (bytes). A bad file stops ampguard at start with "
       "\\fIFILE:LINE: reason\\fR.",
       ".PP",
       "\\fBsystemctl reload ampguard\\fR (SIGHUP) or \\fBampguardctl reload\\fR re-reads the "
       "file. Each option below says whether a reload applies it: options marked "
       "\\fIrestart only\\fR keep their running value until ampguard is restarted, and the "
       "reload says so (\\fBampguardctl status\\fR lists them under \\fIrestart pending\\fR)."]
for title, options in groups:
    out += [".SH " + roff(title.upper())]
    for o in options:
        if o["name"] in cli_only:
            continue
        section, _, key = o["name"].rpartition(".")
        out += [".TP", f"\\fB{roff(o['name'])}\\fR" + (" = \\fIvalue\\fR" if o["arg"] else "")]
        body = roff(o["text"])
        if section:
            body += f"\n.br\nIn the file: \\fB{roff(key)}\\fR under \\fB[{roff(section)}]\\fR."
        out.append(body)
        default = o["default"]
        if default is not None:
            out += [".br", "Default: \\fB" + (roff(default) if default else '""') + "\\fR."]
        elif not o["arg"]:
            out += [".br", "Default: off (a switch: \\fBtrue\\fR in the file)."]
        else:
            out += [".br", "Default: none (see the description)."]
        out += [".br", "Reload: " + ("\\fIrestart only\\fR (a reload keeps the running value)."
                                     if o["name"] in restart_only else
                                     "applied by a reload.")]
out += [".SH COMMAND-LINE ONLY",
        "\\fB\\-\\-config\\fR \\fIFILE\\fR, \\fB\\-\\-demo\\fR and \\fB\\-\\-help\\fR are "
        "not read from the file; see ampguard(8).",
        ".SH FILES",
        ".TP", "/etc/ampguard/ampguard.conf", "the configuration the systemd unit starts with",
        ".TP", "/etc/ampguard/recommended.conf",
        "the recommended settings (TC actions with slip 2), to copy from",
        ".TP", "/etc/default/ampguard", "the EAL arguments (lcores and ports) of the unit",
        ".SH SEE ALSO", "ampguard(8), ampguardctl(8)"]
print("\n".join(out))
