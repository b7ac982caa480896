# bash completion for ampguardctl(8). The subcommands and the capture reasons are read from
# `ampguardctl --help` (which prints the control socket's command list and the reasons from
# dataplane/verdict_reason.hpp), so this file never lists them itself.

_ampguardctl_help() {
  # Cached per shell: the binary's own list.
  if [[ -z ${_ampguardctl_help_text-} ]]; then
    _ampguardctl_help_text=$("${1:-ampguardctl}" --help 2>/dev/null)
  fi
  printf '%s\n' "$_ampguardctl_help_text"
}

_ampguardctl() {
  local cur prev words cword
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  local help
  help=$(_ampguardctl_help "${COMP_WORDS[0]}")
  COMPREPLY=()

  if [[ $prev == --socket ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  # The command: the first word after the options.
  local i cmd="" cmd_at=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --socket) ((i++)) ;;
      --socket=* | -h | --help | --version) ;;
      *) cmd=${COMP_WORDS[i]}; cmd_at=$i; break ;;
    esac
  done

  if [[ -z $cmd ]]; then
    local commands
    commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' <<<"$help" | sort -u)
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "--socket --help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return 0
  fi

  case $cmd in
    blocklist | fleet)
      if ((COMP_CWORD == cmd_at + 1)); then
        local subs
        subs=$(sed -n "s/^  $cmd \\([a-z]*\\).*/\\1/p" <<<"$help")
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
      elif [[ ${COMP_WORDS[cmd_at + 1]} == add && $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--replace" -- "$cur"))
      fi
      ;;
    capture)
      case $prev in
        --reason)
          local reasons
          reasons=$(sed -n '/^capture reasons/,/^$/s/^  \([a-z_]*\)$/\1/p' <<<"$help")
          COMPREPLY=($(compgen -W "$reasons" -- "$cur"))
          ;;
        --file) COMPREPLY=($(compgen -f -- "$cur")) ;;
        --count | --timeout) ;;
        *)
          local opts
          opts=$(sed -n 's/^  capture \(.*\)/\1/p' <<<"$help" | grep -o -- '--[a-z]*' | sort -u)
          COMPREPLY=($(compgen -W "$opts" -- "$cur"))
          ;;
      esac
      ;;
  esac
  return 0
}
complete -F _ampguardctl ampguardctl
