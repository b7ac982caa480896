#!/usr/bin/env bash
# Every option `ampguard --help` lists appears in ampguard.conf(5) with its default (config-file
# options) and the restart-only ones are marked so; ampguard(8) and ampguardctl(8) exist and
# render. Usage: manpage_options_test.sh AMPGUARD MAN_DIR
set -euo pipefail
AMPGUARD=$1 MAN=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
for page in ampguard.8 ampguardctl.8 ampguard.conf.5; do
  [ -s "$MAN/$page" ] || { echo "no $MAN/$page (help2man missing at configure time?)" >&2; exit 77; }
done
command -v man > /dev/null || { echo "man (man-db) missing" >&2; exit 77; }
# The page as a reader sees it, one line per paragraph start.
rendered=$(MANWIDTH=200 man -l "$MAN/ampguard.conf.5" 2>/dev/null | col -b)
options=$("$AMPGUARD" --help | sed -n 's/^  \(-[a-z], \)\{0,1\}--\([a-z][a-z0-9.-]*\).*/\2/p')
[ "$(wc -l <<<"$options")" -ge 30 ] || fail "only $(wc -l <<<"$options") options in --help"
restart=$("$AMPGUARD" --list-restart-only)
n=0
for o in $options; do
  case $o in help | config | demo) grep -qF -- "--$o" <<<"$rendered" || fail "--$o not mentioned"; continue ;; esac
  # The option's entry: its name at the start of a tagged paragraph, then its Default and Reload.
  entry=$(awk -v o="$o" '$1 == o { p = 1; print; next } p && /^       [a-z]/ { exit } p' <<<"$rendered")
  [ -n "$entry" ] || fail "option $o missing from ampguard.conf(5)"
  grep -q "Default:" <<<"$entry" || fail "$o: no default in ampguard.conf(5)"
  if grep -qx -- "$o" <<<"$restart"; then
    grep -q "Reload: restart only" <<<"$entry" || fail "$o: restart-only but not marked so"
  else
    grep -q "Reload: applied by a reload" <<<"$entry" || fail "$o: reload not stated"
  fi
  # The default printed by --help is the one in the page.
  default=$("$AMPGUARD" --help | sed -n "s/^  --$o arg (=\([^)]*\)).*/\1/p")
  if [ -n "$default" ]; then
    grep -qF "Default: $default." <<<"$entry" || fail "$o: default $default not in: $entry"
  fi
  n=$((n + 1))
done
for page in ampguard.8 ampguardctl.8; do
  rendered_page=$(MANWIDTH=200 man -l "$MAN/$page" 2>/dev/null)
  grep -q "^NAME" <<<"$rendered_page" || fail "$page does not render"
done
# Read whole before grep: grep -q stopping early would fail the pipeline on SIGPIPE.
page8=$(MANWIDTH=200 man -l "$MAN/ampguard.8" | col -b)
grep -qF -- "--limit.max-entries" <<<"$page8" || fail "ampguard(8) lacks the options"
page8=$(MANWIDTH=200 man -l "$MAN/ampguardctl.8" | col -b)
grep -q "over_limit" <<<"$page8" || fail "ampguardctl(8) lacks the capture reasons"
echo "ampguard.conf(5) documents all $n config options with default and reload behaviour"
