"""Shell completion scripts for bash, zsh and fish, generated from the command tree.

Each script carries the tree itself (commands, options, which options take a value and what kind of
value), so Tab on a command or option costs no process. Values that live in the store (session ids,
render ids, profile names) come from `nemo __complete KIND`, which reads the store and never the network;
files for `upload` are filtered to the accepted extensions by the shell itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nemo_cli.completion.model import Command, Param

SHELLS = ("bash", "zsh", "fish")
FILE_NAMES = {"bash": "nemo.bash", "zsh": "_nemo", "fish": "nemo.fish"}

# What a value completes to, beyond what the types say (paths → files, choices → the choices).
# Options by name, anywhere in the tree:
OPTION_VALUES = {"--session": "session", "--profile": "profile"}
# Arguments by command path, one kind per position (the last repeats for a variadic argument):
ARGUMENT_VALUES: dict[tuple[str, ...], list[str]] = {
    ("session", "use"): ["session"],
    ("export", "status"): ["render"],
    ("export", "wait"): ["render"],
    ("export", "download"): ["render"],
    ("export", "cancel"): ["render"],
    ("upload",): ["media"],
    ("config", "get"): ["setting"],
    ("config", "set"): ["setting", ""],
    ("config", "unset"): ["setting"],
}
STORED = {"session": "sessions", "render": "renders", "profile": "profiles"}  # kind → `nemo __complete` KIND


@dataclass(frozen=True)
class Value:
    """What to offer for one value: a kind (session, render, profile, media, file, dir, words, or "" for
    nothing) and, for `words`, the fixed list."""

    kind: str
    words: tuple[str, ...] = ()


def option_value(param: Param) -> Value:
    for name in param.opts:
        if name in OPTION_VALUES:
            return Value(OPTION_VALUES[name])
    return _typed(param)


def argument_values(cmd: Command) -> list[Value]:
    rule = ARGUMENT_VALUES.get(cmd.path, [])
    values = []
    for i, arg in enumerate(cmd.arguments):
        kind = rule[min(i, len(rule) - 1)] if rule else None
        if kind == "setting":
            from nemo_cli.settings import SETTINGS

            values.append(Value("words", tuple(SETTINGS)))
        elif kind is not None:
            values.append(Value(kind))
        else:
            values.append(_typed(arg))
    return values


def _typed(param: Param) -> Value:
    if param.choices:
        return Value("words", tuple(c for c in param.choices if c and not re.search(r"\s", c)))
    return Value(param.path or "")


def media_extensions() -> list[str]:
    from nemo_cli.media import ACCEPTED_EXTENSIONS

    return sorted({e.lower().lstrip(".") for e in ACCEPTED_EXTENSIONS})


def render(shell: str, tree: Command) -> str:
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](tree)


def options_of(cmd: Command, tree: Command) -> list[Param]:
    """A command's options as the command line takes them: its own, then the global ones (which the
    root declares, and which go anywhere on the line)."""
    return cmd.options if cmd is tree else cmd.options + tree.global_options


def summary(help_text: str) -> str:
    """An option's help as one short line: its first sentence, without `[default: …]` notes."""
    text = " ".join(re.split(r"\s{2,}\[", help_text)[0].split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    return (match.group(1) if match else text).rstrip(".")


def _uses_media(tree: Command) -> bool:
    return any(v.kind == "media" for cmd in tree.walk() for v in argument_values(cmd))


HEADER = "generated from the command tree by `python -m nemo_cli.docgen`; do not edit."

# -- bash ---------------------------------------------------------------------------------------


def bash(tree: Command) -> str:
    def code(value: Value) -> str:
        if value.kind == "words":
            return "words:" + ",".join(value.words)
        return value.kind or "-"

    cases = []
    for cmd in tree.walk():
        opts = " ".join(
            name + (f"={code(option_value(p))}" if p.takes_value else "") for p in options_of(cmd, tree) for name in p.names
        )
        args = [code(v) for v in argument_values(cmd)]
        if args and cmd.arguments[-1].variadic:
            args[-1] += "*"
        subs = " ".join(c.path[-1] for c in cmd.subcommands)
        cases.append(f'    "{" ".join(cmd.path)}") cmds="{subs}" opts="{opts}" args="{" ".join(args)}" ;;')
    media = " ".join(media_extensions()) if _uses_media(tree) else ""
    return BASH.replace("@CASES@", "\n".join(cases)).replace("@MEDIA@", media).replace("@HEADER@", HEADER)


BASH = r"""# bash completion for nemo -- @HEADER@
# Install: `nemo completion --install bash` (writes ~/.local/share/bash-completion/completions/nemo),
# or add `source <(nemo completion bash)` to ~/.bashrc. Needs bash 4.4 or newer.

# _nemo_spec PATH: the subcommands (cmds), options (opts; NAME=KIND for those taking a value) and value kind
# of each positional argument (args; a trailing * repeats it) of one command path.
_nemo_spec() {
    case "$1" in
@CASES@
    *) cmds="" opts="" args="" ;;
    esac
}

_nemo_media="@MEDIA@"

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
"""

# -- zsh ----------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_desc(text: str) -> str:
    return summary(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _zsh_action(value: Value) -> str:
    if value.kind in STORED:
        return f"_nemo_stored {STORED[value.kind]}"
    if value.kind == "media":
        return '_files -g "*.(#i)(' + "|".join(media_extensions()) + ')(-.)"'
    if value.kind == "file":
        return "_files"
    if value.kind == "dir":
        return "_files -/"
    if value.kind == "words":
        return "(" + " ".join(value.words) + ")"
    return " "


def _zsh_option_specs(param: Param) -> list[str]:
    names = param.names
    exclusive = "" if param.variadic else "(" + " ".join(names) + ")"
    repeat = "*" if param.variadic else ""
    specs = []
    for name in names:
        suffix = ("=" if name.startswith("--") else "+") if param.takes_value else ""
        spec = f"{exclusive}{repeat}{name}{suffix}[{_zsh_desc(param.help)}]"
        if param.takes_value:
            spec += ":" + param.metavar.replace(":", "\\:") + ":" + _zsh_action(option_value(param))
        specs.append(_zsh_quote(spec))
    return specs


def _zsh_function_name(cmd: Command) -> str:
    return "_" + "_".join(re.sub(r"\W", "_", w) for w in ("nemo",) + cmd.path)


def _zsh_arguments(flags: str, specs: list[str], tail: str = "") -> list[str]:
    lines = [f"    _arguments {flags} \\"] + [f"        {s} \\" for s in specs]
    lines[-1] = lines[-1][: -len(" \\")] + tail
    return lines


def _zsh_function(cmd: Command, tree: Command) -> str:
    specs = [s for p in options_of(cmd, tree) for s in _zsh_option_specs(p)]
    for arg, value in zip(cmd.arguments, argument_values(cmd)):
        position = "*" if arg.variadic else ("" if arg.required else ":")
        specs.append(_zsh_quote(f"{position}:{arg.metavar.replace(':', chr(92) + ':')}:{_zsh_action(value)}"))
    name = _zsh_function_name(cmd)
    if not cmd.subcommands:
        return "\n".join([f"{name}() {{", *_zsh_arguments("-s -S", specs), "}"])
    body = [f"{name}() {{", "    local curcontext=$curcontext state state_descr line ret=1", "    typeset -A opt_args"]
    if not cmd.path:  # the root remembers how nemo was called, and with which profile, for _nemo_stored
        body.append("    typeset -g _nemo_prog=${words[1]/#\\~/$HOME} _nemo_profile=")
    body += _zsh_arguments("-C -s -S", specs + ["': :->command'", "'*:: :->argument'"], " && ret=0")
    profile_opts = [n for p in options_of(cmd, tree) if option_value(p).kind == "profile" for n in p.opts]
    if profile_opts:  # the profile given so far (a later -p overrides an earlier one)
        body.append("    _nemo_profile=" + _zsh_profile(profile_opts, "$_nemo_profile" if cmd.path else ""))
    described = [
        _zsh_quote(sub.path[-1].replace(":", "\\:") + ":" + " ".join(sub.short_help.split())) for sub in cmd.subcommands
    ]
    body += [
        "    case $state in",
        "    command)",
        "        local -a commands=(",
        *[f"            {d}" for d in described],
        "        )",
        f"        _describe -t commands {_zsh_quote(cmd.name + ' command')} commands && ret=0",
        "        ;;",
        "    argument)",
        "        curcontext=${curcontext%:*:*}:" + "-".join(("nemo",) + cmd.path) + "-$words[1]:",
        "        case $words[1] in",
        *[f"        {_zsh_quote(sub.path[-1])}) {_zsh_function_name(sub)} && ret=0 ;;" for sub in cmd.subcommands],
        "        esac",
        "        ;;",
        "    esac",
        "    return ret",
        "}",
    ]
    return "\n".join(body)


def _zsh_profile(profile_opts: list[str], fallback: str) -> str:
    """`${opt_args[-p]:-${opt_args[--profile]:-FALLBACK}}`: the profile this _arguments call saw."""
    return "".join("${opt_args[" + n + "]:-" for n in profile_opts) + fallback + "}" * len(profile_opts)


def zsh(tree: Command) -> str:
    functions = "\n\n".join(_zsh_function(cmd, tree) for cmd in tree.walk())
    profile_opts = [n for p in tree.global_options if option_value(p).kind == "profile" for n in p.opts]
    return (
        ZSH.replace("@FUNCTIONS@", functions)
        .replace("@PROFILE@", _zsh_profile(profile_opts, "$_nemo_profile"))
        .replace("@HEADER@", HEADER)
    )


ZSH = r"""#compdef nemo
# zsh completion for nemo -- @HEADER@
# Install: `nemo completion --install zsh` (writes ~/.zfunc/_nemo; `fpath=(~/.zfunc $fpath)` must come
# before `compinit` in ~/.zshrc), or add `source <(nemo completion zsh)` after `compinit`.

# _nemo_stored [...] KIND: session ids, render ids or profile names from the store (never the network).
# _arguments puts its own options before KIND; the profile is the one given on the line so far.
_nemo_stored() {
    local kind=$argv[-1] value desc profile=@PROFILE@
    local -a values
    while IFS=$'\t' read -r value desc; do
        values+=("${value//:/\\:}${desc:+:$desc}")
    done < <(_call_program $kind ${_nemo_prog:-nemo} __complete $kind ${profile:+--profile $profile} 2>/dev/null)
    _describe -t $kind ${kind%s} values
}

@FUNCTIONS@

if [[ $funcstack[1] == _nemo ]]; then
    _nemo "$@"
else
    compdef _nemo nemo
fi
"""

# -- fish ---------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_value(value: Value) -> str:
    if value.kind in STORED:
        return f"-x -a '(__nemo_stored {STORED[value.kind]})'"
    if value.kind == "media":
        return "-x -a '(__nemo_media)'"
    if value.kind == "file":
        return "-r -F"
    if value.kind == "dir":
        return "-x -a '(__fish_complete_directories)'"
    if value.kind == "words":
        return "-x -a " + _fish_quote(" ".join(value.words))
    return "-x"


def _fish_flag(name: str) -> str:
    if name.startswith("--"):
        return f"-l {name[2:]}"
    return f"-s {name[1:]}" if len(name) == 2 else f"-o {name[1:]}"


def fish(tree: Command) -> str:
    subcommands, value_options, lines = [], [], []
    for cmd in tree.walk():
        key = _fish_quote(" ".join(cmd.path))
        if cmd.subcommands:
            subcommands.append(f"        case {key}\n            printf '%s\\n' " + " ".join(c.path[-1] for c in cmd.subcommands))
        takes = [n for p in options_of(cmd, tree) if p.takes_value for n in p.names]
        if takes:
            value_options.append(f"        case {key}\n            printf '%s\\n' " + " ".join(takes))
        at = " ".join(("__nemo_at",) + cmd.path)
        for sub in cmd.subcommands:
            lines.append(f"complete -c nemo -n '{at}' -f -a {sub.path[-1]} -d {_fish_quote(' '.join(sub.short_help.split()))}")
        for p in cmd.options:
            where = "__nemo_global" if p.is_global else at  # global options go anywhere before --
            flags = " ".join(_fish_flag(n) for n in p.opts)
            value = " " + _fish_value(option_value(p)) if p.takes_value else ""
            lines.append(f"complete -c nemo -n '{where}' {flags}{value} -d {_fish_quote(summary(p.help))}")
            for name in p.secondary_opts:
                lines.append(f"complete -c nemo -n '{where}' {_fish_flag(name)} -d {_fish_quote(summary(p.help))}")
        for i, (arg, value) in enumerate(zip(cmd.arguments, argument_values(cmd))):
            if value.kind:
                position = f"{i}+" if arg.variadic else str(i)
                where = " ".join(("__nemo_arg", position) + cmd.path)
                lines.append(f"complete -c nemo -n '{where}' {_fish_value(value)}")
    profile_opts = [n for p in tree.options if option_value(p).kind == "profile" for n in p.opts]
    media = " ".join(media_extensions()) if _uses_media(tree) else ""
    return (
        FISH.replace("@SUBCOMMANDS@", "\n".join(subcommands))
        .replace("@VALUE_OPTIONS@", "\n".join(value_options))
        .replace("@PROFILE_OPTIONS@", " ".join(profile_opts) or "--profile")
        .replace("@MEDIA@", "|".join(media.split()))
        .replace("@COMPLETIONS@", "\n".join(lines))
        .replace("@HEADER@", HEADER)
    )


FISH = r"""# fish completion for nemo -- @HEADER@
# Install: `nemo completion --install fish` (writes ~/.config/fish/completions/nemo.fish).

function __nemo_subcommands --description 'The subcommands of a nemo command path'
    switch "$argv"
@SUBCOMMANDS@
    end
end

function __nemo_value_options --description 'The options of a nemo command path that take a value'
    switch "$argv"
@VALUE_OPTIONS@
    end
end

function __nemo_parse --description 'Where the line is: __nemo_cmd, __nemo_argn, __nemo_profile, __nemo_dashdash'
    set -l line (commandline -pc)
    test "$line" = "$__nemo_line"; and return
    set -g __nemo_line $line
    set -g __nemo_cmd
    set -g __nemo_argn 0
    set -g __nemo_profile
    set -g __nemo_dashdash 0
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_of
    for t in $tokens
        if test -n "$value_of"
            contains -- $value_of @PROFILE_OPTIONS@; and set __nemo_profile $t
            set value_of
        else if test $__nemo_dashdash = 1
            set __nemo_argn (math $__nemo_argn + 1)
        else if test "$t" = --
            set __nemo_dashdash 1
        else if string match -q -- '--*=*' $t  # --option=value in one word
            set -l parts (string split -m1 = -- $t)
            contains -- $parts[1] @PROFILE_OPTIONS@; and set __nemo_profile $parts[2]
        else if string match -q -- '-*' $t
            contains -- $t (__nemo_value_options $__nemo_cmd); and set value_of $t
        else if contains -- $t (__nemo_subcommands $__nemo_cmd)
            set -a __nemo_cmd $t
            set __nemo_argn 0
        else
            set __nemo_argn (math $__nemo_argn + 1)
        end
    end
end

function __nemo_at --description 'The line is at this nemo command'
    __nemo_parse
    test "$__nemo_cmd" = "$argv"
end

function __nemo_global --description 'A global option fits here: anywhere before --'
    __nemo_parse
    test $__nemo_dashdash = 0
end

function __nemo_arg --description 'The line is at positional argument N (N+: or later) of this nemo command'
    set -l path $argv
    set -e path[1]
    __nemo_at $path; or return 1
    set -l n (string trim -c + -- $argv[1])
    if string match -q -- '*+' $argv[1]
        test $__nemo_argn -ge $n
    else
        test $__nemo_argn -eq $n
    end
end

function __nemo_stored --description 'Session ids, render ids or profile names from the store'
    __nemo_parse
    set -l prog (string replace -r '^~' -- $HOME (commandline -opc)[1])
    set -l profile
    test -n "$__nemo_profile"; and set profile --profile $__nemo_profile
    $prog __complete $argv[1] $profile 2>/dev/null
end

function __nemo_media --description 'Files nemo can upload, and directories'
    set -l cur (commandline -ct)
    for f in $cur*
        if test -d $f
            echo $f/
        else if string match -qir '\.(@MEDIA@)$' -- $f
            echo $f
        end
    end
end

complete -c nemo -f
@COMPLETIONS@
"""
