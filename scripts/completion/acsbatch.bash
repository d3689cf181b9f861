# bash completion for acsbatch: subcommands, their flags, job files (*.yaml, *.yml) for run and
# validate, reports (*.json) for report, any file for --state and the other path flags.
# Installed as share/bash-completion/completions/acsbatch; by hand: `. scripts/completion/acsbatch.bash`.
# Every flag of `acsbatch SUB --help` must be listed here: the Completion.* tests compare them.
# Needs nothing from the bash-completion package (it works with or without it).

_acsbatch_top_flags="-h --help --version"
_acsbatch_commands="run validate emulator cleanup report"
_acsbatch_report_commands="merge html junit"

_acsbatch_run_flags="-h --help --report -q --quiet --progress --log-format --set --dry-run --resume --force --threads --shard --shards"
_acsbatch_validate_flags="-h --help --set"
_acsbatch_emulator_flags="-h --help --listen --limits --faults --latency --seed --state --key-file --capture --tls-cert --tls-key --entra"
_acsbatch_cleanup_flags="-h --help --state --job --report --set -q --quiet --progress --log-format --threads"
_acsbatch_report_flags="-h --help"
_acsbatch_report_merge_flags="-h --help --force -o --output"
_acsbatch_report_html_flags="-h --help -o --output"
_acsbatch_report_junit_flags="-h --help -o --output"

# Flags followed by a value (a separate word), so that the value is not taken for a subcommand.
_acsbatch_valued_flags=" --report --log-format --set --threads --shard --shards --listen --limits --faults --latency --seed --state --key-file --capture --tls-cert --tls-key --job -o --output "

# COMPREPLY += directories and the files whose names end in one of the given extensions
# (any file when none is given).
_acsbatch_files() {
  local cur=$1 ext line
  shift
  compopt -o filenames 2>/dev/null
  local IFS=$'\n'
  if (($# == 0)); then
    COMPREPLY+=($(compgen -f -- "$cur"))
    return
  fi
  COMPREPLY+=($(compgen -d -- "$cur"))
  for ext in "$@"; do
    COMPREPLY+=($(compgen -f -X "!*.$ext" -- "$cur"))
  done
}

_acsbatch() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=""
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # `--flag=value`: bash splits at '=' (COMP_WORDBREAKS), giving "--flag" "=" "value".
  if [[ $cur == "=" ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    cur=""
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi
  COMPREPLY=()

  # The subcommand (and report's own subcommand): the first words that are not flags or their values.
  local command="" subcommand="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == -* ]]; then
      [[ $_acsbatch_valued_flags == *" $word "* ]] && ((i++))
      continue
    fi
    [[ $word == "=" ]] && { ((i++)); continue; }
    if [[ -z $command ]]; then
      command=$word
    elif [[ $command == report && -z $subcommand ]]; then
      subcommand=$word
      break
    fi
  done

  # The value of the flag before the cursor.
  case $prev in
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --limits) COMPREPLY=($(compgen -W "real off" -- "$cur")); return ;;
    --latency) COMPREPLY=($(compgen -W "fixed: uniform: lognormal:" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
    --listen) COMPREPLY=($(compgen -W "127.0.0.1:0" -- "$cur")); return ;;
    --job) _acsbatch_files "$cur" yaml yml; return ;;
    --report)
      if [[ $command == report ]]; then return; fi
      _acsbatch_files "$cur" json; return ;;
    --state | --key-file | --capture | --tls-cert | --tls-key | -o | --output) _acsbatch_files "$cur"; return ;;
    --set | --threads | --shard | --shards | --seed | --faults) return ;;  # free text: nothing to offer
  esac

  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$_acsbatch_top_flags" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_acsbatch_commands" -- "$cur"))
    fi
    return
  fi

  local flags
  case $command in
    run) flags=$_acsbatch_run_flags ;;
    validate) flags=$_acsbatch_validate_flags ;;
    emulator) flags=$_acsbatch_emulator_flags ;;
    cleanup) flags=$_acsbatch_cleanup_flags ;;
    report)
      case $subcommand in
        merge) flags=$_acsbatch_report_merge_flags ;;
        html) flags=$_acsbatch_report_html_flags ;;
        junit) flags=$_acsbatch_report_junit_flags ;;
        "")
          if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_acsbatch_report_flags" -- "$cur"))
          else
            COMPREPLY=($(compgen -W "$_acsbatch_report_commands" -- "$cur"))
          fi
          return ;;
        *) return ;;
      esac ;;
    *) return ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  case $command in
    run | validate) _acsbatch_files "$cur" yaml yml ;;
    report) _acsbatch_files "$cur" json ;;
  esac
}

complete -F _acsbatch acsbatch
