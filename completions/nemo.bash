# bash completion for nemo -- generated from the command tree by `python -m nemo_cli.docgen`; do not edit.
# Install: `nemo completion --install bash` (writes ~/.local/share/bash-completion/completions/nemo),
# or add `source <(nemo completion bash)` to ~/.bashrc. Needs bash 4.4 or newer.

# _nemo_spec PATH: the subcommands (cmds), options (opts; NAME=KIND for those taking a value) and value kind
# of each positional argument (args; a trailing * repeats it) of one command path.
_nemo_spec() {
    case "$1" in
    "") cmds="auth session upload edit export trim grade film demo-clip chat batch state credits mcp agent-skill config doctor completion emulator help" opts="-V --version --debug --no-color -p=profile --profile=profile --api-url=- -h --help" args="" ;;
    "auth") cmds="login status token logout" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "auth login") cmds="" opts="--with-token --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "auth status") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "auth token") cmds="" opts="-h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "auth logout") cmds="" opts="-f --force --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "session") cmds="new list use show open" opts="-h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "session new") cmds="" opts="-n=- --name=- -l=- --language=- --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "session list") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "session use") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="session" ;;
    "session show") cmds="" opts="-s=session --session=session --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "session open") cmds="" opts="-s=session --session=session -b --browser --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "upload") cmds="" opts="--url --each -s=session --session=session --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="media*" ;;
    "edit") cmds="" opts="-f=file --file=file --settle --settle-for=- --show-cost -v --verbose --timeout=- --answer=- --expect-change -s=session --session=session --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="-*" ;;
    "export") cmds="list status wait download cancel" opts="-w --wait -o=file --output=file -f --force --format=words:mp4 --quality=words:low,medium,high -r=- --resolution=- --fps=- --draft=file --poll-interval=- --timeout=- -s=session --session=session --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "export list") cmds="" opts="--refresh --no-refresh --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "export status") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="render" ;;
    "export wait") cmds="" opts="-o=file --output=file -f --force --poll-interval=- --timeout=- --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="render" ;;
    "export download") cmds="" opts="-o=file --output=file -f --force --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="render" ;;
    "export cancel") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="render" ;;
    "trim") cmds="" opts="-r=- --remove=- -k=- --keep=- --dry-run -s=session --session=session -v --verbose --timeout=- --answer=- --expect-change --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "grade") cmds="" opts="--look=- --exposure=- --contrast=- --saturation=- --temperature=- --highlights=- --shadows=- --dry-run -s=session --session=session -v --verbose --timeout=- --answer=- --expect-change --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "film") cmds="" opts="--best-takes --transitions=- --music=- --music-volume=- --dry-run -s=session --session=session -v --verbose --timeout=- --answer=- --expect-change --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "demo-clip") cmds="" opts="--length=- --music=- --title=- --dry-run -s=session --session=session -v --verbose --timeout=- --answer=- --expect-change --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "chat") cmds="" opts="--answer=- --expect-change -s=session --session=session --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="-" ;;
    "batch") cmds="" opts="-j=- --jobs=- --restart -f --force --dry-run --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="file" ;;
    "state") cmds="" opts="--draft --check-ready -s=session --session=session --json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "credits") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "mcp") cmds="" opts="--read-only -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "agent-skill") cmds="" opts="-h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "config") cmds="get set unset list path" opts="-h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "config get") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="words:api_url,web_url,language,skill_source,skill_version,skill_platform,connect_timeout,read_timeout,retries,retry_backoff,rate_limit_wait,ca_bundle,edit.notice_interval,edit.idle_timeout,edit.timeout,edit.recover_first,edit.recover_interval,edit.recover_looks,export.poll_min,export.poll_max,export.timeout,export.error_grace" ;;
    "config set") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="words:api_url,web_url,language,skill_source,skill_version,skill_platform,connect_timeout,read_timeout,retries,retry_backoff,rate_limit_wait,ca_bundle,edit.notice_interval,edit.idle_timeout,edit.timeout,edit.recover_first,edit.recover_interval,edit.recover_looks,export.poll_min,export.poll_max,export.timeout,export.error_grace -" ;;
    "config unset") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="words:api_url,web_url,language,skill_source,skill_version,skill_platform,connect_timeout,read_timeout,retries,retry_backoff,rate_limit_wait,ca_bundle,edit.notice_interval,edit.idle_timeout,edit.timeout,edit.recover_first,edit.recover_interval,edit.recover_looks,export.poll_min,export.poll_max,export.timeout,export.error_grace" ;;
    "config list") cmds="" opts="--json --json-fields=- --jq=- -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "config path") cmds="" opts="--json --json-fields=- --jq=- -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "doctor") cmds="" opts="--json -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "completion") cmds="" opts="--install --rc --json -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="words:bash,zsh,fish" ;;
    "emulator") cmds="serve exec media" opts="-h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "emulator serve") cmds="" opts="--host=- --port=- --cdn-port=- --render-status=words:nested,top --sse=words:adk,typed --silent-rate=- --seed=- --edit-seconds=- --render-seconds=- --keepalive-seconds=- --credits=- --fault=- --data-dir=file --free-plan --download=words:file,json,json-error,html --tls-cert=file --tls-key=file --json -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="" ;;
    "emulator exec") cmds="" opts="--host=- --port=- --cdn-port=- --render-status=words:nested,top --sse=words:adk,typed --silent-rate=- --seed=- --edit-seconds=- --render-seconds=- --keepalive-seconds=- --credits=- --fault=- --data-dir=file --free-plan --download=words:file,json,json-error,html -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="-*" ;;
    "emulator media") cmds="" opts="--seconds=- --size=- -f --force --json -q --quiet -h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="file" ;;
    "help") cmds="" opts="-h --help --debug --no-color -p=profile --profile=profile --api-url=-" args="-*" ;;
    *) cmds="" opts="" args="" ;;
    esac
}

_nemo_media="aac avi gif jpeg jpg m4a mkv mov mp3 mp4 png wav webm webp"

# _nemo_value KIND: candidates for a value of that kind, into COMPREPLY.
_nemo_value() {
    local value _ ext
    case $1 in
    session | render | profile)
        while IFS=$'\t' read -r value _; do
            [[ $value == "$cur"* ]] && COMPREPLY+=("$value")
        done < <("$prog" __complete "$1s" ${profile:+--profile "$profile"} 2>/dev/null)
        ;;
    media)
        compopt -o filenames 2>/dev/null
        while IFS= read -r value; do
            ext=${value##*/}
            ext=${ext##*.}
            if [[ -d $value ]] || [[ $value == *.* && " $_nemo_media " == *" ${ext,,} "* ]]; then
                COMPREPLY+=("$value")
            fi
        done < <(compgen -f -- "$cur")
        ;;
    file)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        ;;
    dir)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        ;;
    words:*)
        value=${1#words:}
        mapfile -t COMPREPLY < <(compgen -W "${value//,/ }" -- "$cur")
        ;;
    esac
}

_nemo() {
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]/#\~/$HOME}
    local cmds opts args path="" profile="" word kind="" option="" argn=0 dashdash="" i o
    local -a optlist kinds
    COMPREPLY=()
    _nemo_spec ""
    read -ra optlist <<<"$opts"
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -n $kind ]]; then  # the value of the option before it (`--opt=value` comes as three words)
            [[ $word == "=" && $option == "${COMP_WORDS[i - 1]}" ]] && continue
            [[ $kind == profile ]] && profile=$word
            kind=""
            continue
        fi
        if [[ -n $dashdash ]]; then
            ((argn++))
            continue
        fi
        case $word in
        --) dashdash=1 argn=0 ;;
        -*)
            option=$word
            for o in "${optlist[@]}"; do
                [[ $o == "$word="* ]] && kind=${o#*=}
            done
            ;;
        *)
            if [[ " $cmds " == *" $word "* ]]; then
                path=${path:+$path }$word
                _nemo_spec "$path"
                read -ra optlist <<<"$opts"
                argn=0
            else
                ((argn++))
            fi
            ;;
        esac
    done
    [[ $cur == "=" && -n $kind ]] && cur=""
    if [[ -n $kind ]]; then
        _nemo_value "$kind"
    elif [[ -n $dashdash ]]; then  # after `--` comes a command line of its own
        if ((argn == 0)); then
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        else
            _nemo_value file
        fi
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${optlist[*]%%=*}" -- "$cur")
    elif [[ -n $cmds ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
    else
        read -ra kinds <<<"$args"
        local n=${#kinds[@]}
        if ((argn < n)); then
            kind=${kinds[argn]}
        elif ((n > 0)) && [[ ${kinds[n - 1]} == *"*" ]]; then
            kind=${kinds[n - 1]}
        fi
        kind=${kind%"*"}
        [[ -n $kind && $kind != - ]] && _nemo_value "$kind"
    fi
    return 0
}

complete -F _nemo nemo
