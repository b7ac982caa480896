#!/usr/bin/env bash
# The bash completion of ampguardctl, driven as bash drives it (COMP_WORDS, COMP_CWORD).
# Usage: completion_test.sh COMPLETION_FILE AMPGUARDCTL_DIR
set -euo pipefail
COMPLETION=$1
export PATH="$2:$PATH"
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=/dev/null
source "$COMPLETION"
complete -p ampguardctl | grep -q -- "-F _ampguardctl" || fail "not registered"
complete_words() {  # the words typed, the last one being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _ampguardctl
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
got=$(complete_words ampguardctl "" | tr '\n' ' ')
[ "$got" = "blocklist capture config fleet help reload stats status top " ] || fail "commands: $got"
got=$(complete_words ampguardctl --socket /tmp/s st | tr '\n' ' ')
[ "$got" = "stats status " ] || fail "after --socket: $got"
got=$(complete_words ampguardctl --so | tr '\n' ' ')
[ "$got" = "--socket " ] || fail "options: $got"
got=$(complete_words ampguardctl blocklist "" | tr '\n' ' ')
[ "$got" = "add del flush list " ] || fail "blocklist: $got"
got=$(complete_words ampguardctl fleet "" | tr '\n' ' ')
[ "$got" = "status " ] || fail "fleet: $got"
got=$(complete_words ampguardctl blocklist add 192.0.2.1 --r | tr '\n' ' ')
[ "$got" = "--replace " ] || fail "blocklist add: $got"
got=$(complete_words ampguardctl capture -- | tr '\n' ' ')
[ "$got" = "--count --file --reason --timeout " ] || fail "capture options: $got"
# The reasons: exactly those ampguard accepts (the capturable ones of verdict_reason.hpp, as
# ampguardctl --help prints them) and all; a forwarded reason such as "query" is not one.
reasons=$(complete_words ampguardctl capture --count 5 --reason "")
grep -qx all <<<"$reasons" || fail "no 'all' reason"
grep -qx over_limit <<<"$reasons" || fail "no over_limit reason: $reasons"
grep -qx blocklisted_tc_reply <<<"$reasons" || fail "no blocklisted_tc_reply reason"
! grep -qx query <<<"$reasons" || fail "query offered as a capture reason"
! grep -qx response_small <<<"$reasons" || fail "response_small offered as a capture reason"
# Every non-forward reason of the header (X(name, drop|reply, ...)) is offered.
header=$(dirname "$0")/../../dataplane/verdict_reason.hpp
for r in $(sed -n 's/.*X(\([a-z_]*\), \(drop\|reply\),.*/\1/p' "$header"); do
  grep -qx "$r" <<<"$reasons" || fail "reason $r (a drop or reply) not offered"
done
got=$(complete_words ampguardctl capture --reason over_l | tr '\n' ' ')
[ "$got" = "over_limit over_limit_tc " ] || fail "reason prefix: $got"
echo "ampguardctl completion: commands, blocklist, capture options and $(wc -l <<<"$reasons") reasons"
