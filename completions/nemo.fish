# fish completion for nemo -- generated from the command tree by `python -m nemo_cli.docgen`; do not edit.
# Install: `nemo completion --install fish` (writes ~/.config/fish/completions/nemo.fish).

function __nemo_subcommands --description 'The subcommands of a nemo command path'
    switch "$argv"
        case ''
            printf '%s\n' auth session upload edit export trim grade film demo-clip chat batch state credits mcp agent-skill config doctor completion emulator help
        case 'auth'
            printf '%s\n' login status token logout
        case 'session'
            printf '%s\n' new list use show open
        case 'export'
            printf '%s\n' list status wait download cancel
        case 'config'
            printf '%s\n' get set unset list path
        case 'emulator'
            printf '%s\n' serve exec media
    end
end

function __nemo_value_options --description 'The options of a nemo command path that take a value'
    switch "$argv"
        case ''
            printf '%s\n' -p --profile --api-url
        case 'auth'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'auth login'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'auth status'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'auth token'
            printf '%s\n' -p --profile --api-url
        case 'auth logout'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'session'
            printf '%s\n' -p --profile --api-url
        case 'session new'
            printf '%s\n' -n --name -l --language --json-fields --jq -p --profile --api-url
        case 'session list'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'session use'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'session show'
            printf '%s\n' -s --session --json-fields --jq -p --profile --api-url
        case 'session open'
            printf '%s\n' -s --session --json-fields --jq -p --profile --api-url
        case 'upload'
            printf '%s\n' -s --session --json-fields --jq -p --profile --api-url
        case 'edit'
            printf '%s\n' -f --file --settle-for --timeout --answer -s --session --json-fields --jq -p --profile --api-url
        case 'export'
            printf '%s\n' -o --output --format --quality -r --resolution --fps --draft --poll-interval --timeout -s --session --json-fields --jq -p --profile --api-url
        case 'export list'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'export status'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'export wait'
            printf '%s\n' -o --output --poll-interval --timeout --json-fields --jq -p --profile --api-url
        case 'export download'
            printf '%s\n' -o --output --json-fields --jq -p --profile --api-url
        case 'export cancel'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'trim'
            printf '%s\n' -r --remove -k --keep -s --session --timeout --answer --json-fields --jq -p --profile --api-url
        case 'grade'
            printf '%s\n' --look --exposure --contrast --saturation --temperature --highlights --shadows -s --session --timeout --answer --json-fields --jq -p --profile --api-url
        case 'film'
            printf '%s\n' --transitions --music --music-volume -s --session --timeout --answer --json-fields --jq -p --profile --api-url
        case 'demo-clip'
            printf '%s\n' --length --music --title -s --session --timeout --answer --json-fields --jq -p --profile --api-url
        case 'chat'
            printf '%s\n' --answer -s --session --json-fields --jq -p --profile --api-url
        case 'batch'
            printf '%s\n' -j --jobs --json-fields --jq -p --profile --api-url
        case 'state'
            printf '%s\n' -s --session --json-fields --jq -p --profile --api-url
        case 'credits'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'mcp'
            printf '%s\n' -p --profile --api-url
        case 'agent-skill'
            printf '%s\n' -p --profile --api-url
        case 'config'
            printf '%s\n' -p --profile --api-url
        case 'config get'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'config set'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'config unset'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'config list'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'config path'
            printf '%s\n' --json-fields --jq -p --profile --api-url
        case 'doctor'
            printf '%s\n' -p --profile --api-url
        case 'completion'
            printf '%s\n' -p --profile --api-url
        case 'emulator'
            printf '%s\n' -p --profile --api-url
        case 'emulator serve'
            printf '%s\n' --host --port --cdn-port --render-status --sse --silent-rate --seed --edit-seconds --render-seconds --keepalive-seconds --credits --fault --data-dir --download --tls-cert --tls-key -p --profile --api-url
        case 'emulator exec'
            printf '%s\n' --host --port --cdn-port --render-status --sse --silent-rate --seed --edit-seconds --render-seconds --keepalive-seconds --credits --fault --data-dir --download -p --profile --api-url
        case 'emulator media'
            printf '%s\n' --seconds --size -p --profile --api-url
        case 'help'
            printf '%s\n' -p --profile --api-url
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
            contains -- $value_of -p --profile; and set __nemo_profile $t
            set value_of
        else if test $__nemo_dashdash = 1
            set __nemo_argn (math $__nemo_argn + 1)
        else if test "$t" = --
            set __nemo_dashdash 1
        else if string match -q -- '--*=*' $t  # --option=value in one word
            set -l parts (string split -m1 = -- $t)
            contains -- $parts[1] -p --profile; and set __nemo_profile $parts[2]
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
        else if string match -qir '\.(aac|avi|gif|jpeg|jpg|m4a|mkv|mov|mp3|mp4|png|wav|webm|webp)$' -- $f
            echo $f
        end
    end
end

complete -c nemo -f
complete -c nemo -n '__nemo_at' -f -a auth -d 'Tokens: acquire, log in, show, print, log out.'
complete -c nemo -n '__nemo_at' -f -a session -d 'Editing sessions: new, list, use, show, open.'
complete -c nemo -n '__nemo_at' -f -a upload -d 'Upload media files (or URLs) into the session.'
complete -c nemo -n '__nemo_at' -f -a edit -d 'Describe an edit in words; the reply streams back.'
complete -c nemo -n '__nemo_at' -f -a export -d 'Render the timeline to an MP4 and download it.'
complete -c nemo -n '__nemo_at' -f -a trim -d 'Cut sections out, or keep one section.'
complete -c nemo -n '__nemo_at' -f -a grade -d 'Colour-grade the whole clip, Lightroom style.'
complete -c nemo -n '__nemo_at' -f -a film -d 'Cut raw footage into a film: best takes, music.'
complete -c nemo -n '__nemo_at' -f -a demo-clip -d 'Compile the best moments into a short demo clip.'
complete -c nemo -n '__nemo_at' -f -a chat -d 'Talk to the editor: one edit (or command) a line.'
complete -c nemo -n '__nemo_at' -f -a batch -d 'Run a plan of jobs, each in its own session.'
complete -c nemo -n '__nemo_at' -f -a state -d 'Show the timeline of the active session.'
complete -c nemo -n '__nemo_at' -f -a credits -d 'Show the credit balance.'
complete -c nemo -n '__nemo_at' -f -a mcp -d 'Serve nemo\'s verbs to AI agents as MCP tools (stdio).'
complete -c nemo -n '__nemo_at' -f -a agent-skill -d 'Print a skill file that teaches an agent to use nemo.'
complete -c nemo -n '__nemo_at' -f -a config -d 'Settings: get, set, unset, list, path.'
complete -c nemo -n '__nemo_at' -f -a doctor -d 'Check the setup, the network and the token.'
complete -c nemo -n '__nemo_at' -f -a completion -d 'Print or install the shell completion script.'
complete -c nemo -n '__nemo_at' -f -a emulator -d 'A local NemoVideo API for trying nemo offline.'
complete -c nemo -n '__nemo_at' -f -a help -d 'Help on a command: `nemo help export`.'
complete -c nemo -n '__nemo_at' -s V -l version -d 'Print the version and exit'
complete -c nemo -n '__nemo_global' -l debug -d 'Log every request and response to stderr (tokens masked)'
complete -c nemo -n '__nemo_global' -l no-color -d 'No colour, spinners or progress bars'
complete -c nemo -n '__nemo_global' -s p -l profile -x -a '(__nemo_stored profiles)' -d 'Store profile to use (default: NEMO_PROFILE or `default`)'
complete -c nemo -n '__nemo_global' -l api-url -x -d 'API base URL (default: NEMO_API_URL, config, built-in)'
complete -c nemo -n '__nemo_at' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth' -f -a login -d 'Log in with your own token (from the NemoVideo web app).'
complete -c nemo -n '__nemo_at auth' -f -a status -d 'Show the token in effect (masked), its kind and expiry, and the credits.'
complete -c nemo -n '__nemo_at auth' -f -a token -d 'Print the raw token in effect (NEMO_TOKEN or the stored one).'
complete -c nemo -n '__nemo_at auth' -f -a logout -d 'Forget the stored token (the client id is kept).'
complete -c nemo -n '__nemo_at auth' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at auth' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at auth' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth login' -l with-token -d 'Read the token from standard input'
complete -c nemo -n '__nemo_at auth login' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth login' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at auth login' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at auth login' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth login' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth status' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth status' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at auth status' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at auth status' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth status' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth token' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth logout' -s f -l force -d 'Also discard an anonymous token (the service gives one per client id per week)'
complete -c nemo -n '__nemo_at auth logout' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth logout' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at auth logout' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at auth logout' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth logout' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session' -f -a new -d 'Start a new session and make it the active one; -q prints its id.'
complete -c nemo -n '__nemo_at session' -f -a list -d 'List the sessions this profile knows, the active one marked with *.'
complete -c nemo -n '__nemo_at session' -f -a use -d 'Make a session the active one (any id the service knows, also one made elsewhere).'
complete -c nemo -n '__nemo_at session' -f -a show -d 'Show the session in effect (--session, NEMO_SESSION, or the active one).'
complete -c nemo -n '__nemo_at session' -f -a open -d 'Print a browser link to the session\'s project (a claim token, never your API token).'
complete -c nemo -n '__nemo_at session' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session new' -s n -l name -x -d 'Task name (default: a dated one)'
complete -c nemo -n '__nemo_at session new' -s l -l language -x -d 'Language of the session (en, zh-CN, ja…; default: config `language`)'
complete -c nemo -n '__nemo_at session new' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session new' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at session new' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at session new' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session new' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session list' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session list' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at session list' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at session list' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session list' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session use' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session use' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at session use' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at session use' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session use' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 session use' -x -a '(__nemo_stored sessions)'
complete -c nemo -n '__nemo_at session show' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at session show' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session show' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at session show' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at session show' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session show' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session open' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at session open' -s b -l browser -d 'Also open the link in a web browser'
complete -c nemo -n '__nemo_at session open' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session open' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at session open' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at session open' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session open' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at upload' -l url -d 'The arguments are http(s) URLs for the service to fetch, not local files'
complete -c nemo -n '__nemo_at upload' -l each -d 'One request per file: go on past a failed one, report each, exit non-zero (the first failure\'s code) if any failed'
complete -c nemo -n '__nemo_at upload' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at upload' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at upload' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at upload' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at upload' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at upload' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0+ upload' -x -a '(__nemo_media)'
complete -c nemo -n '__nemo_at edit' -s f -l file -r -F -d 'Read the instruction from a file (- for stdin)'
complete -c nemo -n '__nemo_at edit' -l settle -d 'After the reply, wait until the timeline has stopped changing (the service adds music and a title on its own after a generation) for 30s, then print its summary'
complete -c nemo -n '__nemo_at edit' -l settle-for -x -d '--settle, with SECONDS of stillness instead'
complete -c nemo -n '__nemo_at edit' -l show-cost -d 'Print the credits spent (balance before and after) on stderr'
complete -c nemo -n '__nemo_at edit' -s v -l verbose -d 'Show tool calls and results on stderr'
complete -c nemo -n '__nemo_at edit' -l timeout -x -d 'Give up after SECONDS in all (default: setting edit.timeout)'
complete -c nemo -n '__nemo_at edit' -l answer -x -d 'If the service stops to ask a question, answer it with this option and go on: first, last, its number or its label (repeat for each further question)'
complete -c nemo -n '__nemo_at edit' -l expect-change -d 'Exit 14 when the edit leaves the timeline as it was (the service did not understand it)'
complete -c nemo -n '__nemo_at edit' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at edit' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at edit' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at edit' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at edit' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at edit' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at export' -f -a list -d 'List the renders started from this profile, newest first.'
complete -c nemo -n '__nemo_at export' -f -a status -d 'Show a render\'s status (one look).'
complete -c nemo -n '__nemo_at export' -f -a wait -d 'Follow a render until it ends (exit 11 if it failed, 10 on --timeout); with -o, download it.'
complete -c nemo -n '__nemo_at export' -f -a download -d 'Download a finished render; a download that broke off resumes where it stopped.'
complete -c nemo -n '__nemo_at export' -f -a cancel -d 'Cancel a render that has not finished.'
complete -c nemo -n '__nemo_at export' -s w -l wait -d 'Follow the render until it completes or fails'
complete -c nemo -n '__nemo_at export' -s o -l output -r -F -d 'Download the video to PATH (a file, a directory, or - for stdout); implies --wait'
complete -c nemo -n '__nemo_at export' -s f -l force -d 'Overwrite an existing file at PATH'
complete -c nemo -n '__nemo_at export' -l format -x -a 'mp4' -d 'Container of the video'
complete -c nemo -n '__nemo_at export' -l quality -x -a 'low medium high' -d 'Encoding quality'
complete -c nemo -n '__nemo_at export' -s r -l resolution -x -d 'Output size (default: the canvas)'
complete -c nemo -n '__nemo_at export' -l fps -x -d 'Frames per second (default: the canvas)'
complete -c nemo -n '__nemo_at export' -l draft -r -F -d 'Render a draft saved with `nemo state --draft > FILE` (- reads stdin)'
complete -c nemo -n '__nemo_at export' -l poll-interval -x -d 'Look at the render every SECONDS (default: adaptive)'
complete -c nemo -n '__nemo_at export' -l timeout -x -d 'Give up waiting after SECONDS (default: setting export.timeout)'
complete -c nemo -n '__nemo_at export' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at export' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at export' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at export' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at export list' -l refresh -d 'Ask the service how each render that has not ended is doing (--no-refresh: the store only, no network)'
complete -c nemo -n '__nemo_at export list' -l no-refresh -d 'Ask the service how each render that has not ended is doing (--no-refresh: the store only, no network)'
complete -c nemo -n '__nemo_at export list' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export list' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at export list' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at export list' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export list' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at export status' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export status' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at export status' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at export status' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export status' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export status' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at export wait' -s o -l output -r -F -d 'Download the video to PATH: a file, a directory (a file named after the render goes inside), or - for stdout'
complete -c nemo -n '__nemo_at export wait' -s f -l force -d 'Overwrite an existing file at PATH'
complete -c nemo -n '__nemo_at export wait' -l poll-interval -x -d 'Look at the render every SECONDS (default: adaptive)'
complete -c nemo -n '__nemo_at export wait' -l timeout -x -d 'Give up waiting after SECONDS (default: setting export.timeout)'
complete -c nemo -n '__nemo_at export wait' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export wait' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at export wait' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at export wait' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export wait' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export wait' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at export download' -s o -l output -r -F -d 'Where to write it: a file, a directory, or - for stdout (default: where it went before, else here)'
complete -c nemo -n '__nemo_at export download' -s f -l force -d 'Overwrite an existing file at PATH'
complete -c nemo -n '__nemo_at export download' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export download' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at export download' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at export download' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export download' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export download' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at export cancel' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export cancel' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at export cancel' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at export cancel' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export cancel' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export cancel' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at trim' -s r -l remove -x -d 'A range to cut out and join around (repeatable), e.g'
complete -c nemo -n '__nemo_at trim' -s k -l keep -x -d 'Keep only this range, e.g'
complete -c nemo -n '__nemo_at trim' -l dry-run -d 'Print the instruction and send nothing'
complete -c nemo -n '__nemo_at trim' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at trim' -s v -l verbose -d 'Show tool calls and results on stderr'
complete -c nemo -n '__nemo_at trim' -l timeout -x -d 'Give up after this long (default: config edit.timeout)'
complete -c nemo -n '__nemo_at trim' -l answer -x -d 'If the service stops to ask a question, answer it with this option and go on: first, last, its number or its label (repeat for each further question)'
complete -c nemo -n '__nemo_at trim' -l expect-change -d 'Exit 14 when the edit leaves the timeline as it was (the service did not understand it)'
complete -c nemo -n '__nemo_at trim' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at trim' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at trim' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at trim' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at trim' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at grade' -l look -x -d 'A look: natural, cinematic, warm, cool, vintage, moody, vibrant, black-and-white, teal-orange, film'
complete -c nemo -n '__nemo_at grade' -l exposure -x -d 'Exposure in EV, -5 to +5'
complete -c nemo -n '__nemo_at grade' -l contrast -x -d 'Contrast, -100 to +100'
complete -c nemo -n '__nemo_at grade' -l saturation -x -d 'Saturation, -100 to +100'
complete -c nemo -n '__nemo_at grade' -l temperature -x -d 'Colour temperature, -100 (cool) to +100 (warm)'
complete -c nemo -n '__nemo_at grade' -l highlights -x -d 'Highlights, -100 to +100'
complete -c nemo -n '__nemo_at grade' -l shadows -x -d 'Shadows, -100 to +100'
complete -c nemo -n '__nemo_at grade' -l dry-run -d 'Print the instruction and send nothing'
complete -c nemo -n '__nemo_at grade' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at grade' -s v -l verbose -d 'Show tool calls and results on stderr'
complete -c nemo -n '__nemo_at grade' -l timeout -x -d 'Give up after this long (default: config edit.timeout)'
complete -c nemo -n '__nemo_at grade' -l answer -x -d 'If the service stops to ask a question, answer it with this option and go on: first, last, its number or its label (repeat for each further question)'
complete -c nemo -n '__nemo_at grade' -l expect-change -d 'Exit 14 when the edit leaves the timeline as it was (the service did not understand it)'
complete -c nemo -n '__nemo_at grade' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at grade' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at grade' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at grade' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at grade' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at film' -l best-takes -d 'Cut the best takes'
complete -c nemo -n '__nemo_at film' -l transitions -x -d 'crossfade, fade, dissolve, wipe, slide, zoom or cut'
complete -c nemo -n '__nemo_at film' -l music -x -d 'Background music style, e.g'
complete -c nemo -n '__nemo_at film' -l music-volume -x -d 'Music volume, 0-100 percent'
complete -c nemo -n '__nemo_at film' -l dry-run -d 'Print the instruction and send nothing'
complete -c nemo -n '__nemo_at film' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at film' -s v -l verbose -d 'Show tool calls and results on stderr'
complete -c nemo -n '__nemo_at film' -l timeout -x -d 'Give up after this long (default: config edit.timeout)'
complete -c nemo -n '__nemo_at film' -l answer -x -d 'If the service stops to ask a question, answer it with this option and go on: first, last, its number or its label (repeat for each further question)'
complete -c nemo -n '__nemo_at film' -l expect-change -d 'Exit 14 when the edit leaves the timeline as it was (the service did not understand it)'
complete -c nemo -n '__nemo_at film' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at film' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at film' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at film' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at film' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at demo-clip' -l length -x -d 'Length of the clip in seconds'
complete -c nemo -n '__nemo_at demo-clip' -l music -x -d 'Background music style'
complete -c nemo -n '__nemo_at demo-clip' -l title -x -d 'A title over the opening'
complete -c nemo -n '__nemo_at demo-clip' -l dry-run -d 'Print the instruction and send nothing'
complete -c nemo -n '__nemo_at demo-clip' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at demo-clip' -s v -l verbose -d 'Show tool calls and results on stderr'
complete -c nemo -n '__nemo_at demo-clip' -l timeout -x -d 'Give up after this long (default: config edit.timeout)'
complete -c nemo -n '__nemo_at demo-clip' -l answer -x -d 'If the service stops to ask a question, answer it with this option and go on: first, last, its number or its label (repeat for each further question)'
complete -c nemo -n '__nemo_at demo-clip' -l expect-change -d 'Exit 14 when the edit leaves the timeline as it was (the service did not understand it)'
complete -c nemo -n '__nemo_at demo-clip' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at demo-clip' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at demo-clip' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at demo-clip' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at demo-clip' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at chat' -l answer -x -d 'If the service stops to ask a question, answer it with this option and go on: first, last, its number or its label (repeat for each further question)'
complete -c nemo -n '__nemo_at chat' -l expect-change -d 'An edit that leaves the timeline as it was fails its turn with exit 14'
complete -c nemo -n '__nemo_at chat' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at chat' -l json -d 'Print one NDJSON record per turn on stdout'
complete -c nemo -n '__nemo_at chat' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at chat' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at chat' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at chat' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at batch' -s j -l jobs -x -d 'Jobs run side by side'
complete -c nemo -n '__nemo_at batch' -l restart -d 'Ignore the results of earlier runs: run every job again'
complete -c nemo -n '__nemo_at batch' -s f -l force -d 'Overwrite outputs that exist and were not written by this plan'
complete -c nemo -n '__nemo_at batch' -l dry-run -d 'Check the plan and show what each job would do; send nothing'
complete -c nemo -n '__nemo_at batch' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at batch' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at batch' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at batch' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at batch' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 batch' -r -F
complete -c nemo -n '__nemo_at state' -l draft -d 'Print only the draft JSON (input for `export --draft`)'
complete -c nemo -n '__nemo_at state' -l check-ready -d 'Print nothing; exit 0 if the draft can be exported, 6 if not'
complete -c nemo -n '__nemo_at state' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at state' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at state' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at state' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at state' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at state' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at credits' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at credits' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at credits' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at credits' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at credits' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at mcp' -l read-only -d 'Offer only the tools that change nothing and spend nothing: credits, session_list, state, edit_status, export_status'
complete -c nemo -n '__nemo_at mcp' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at agent-skill' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at config' -f -a get -d 'Print a setting\'s value in effect (flag > environment > config > default).'
complete -c nemo -n '__nemo_at config' -f -a set -d 'Store a setting in the profile.'
complete -c nemo -n '__nemo_at config' -f -a unset -d 'Remove a stored setting (its default applies again).'
complete -c nemo -n '__nemo_at config' -f -a list -d 'List every setting with its value in effect and where it comes from.'
complete -c nemo -n '__nemo_at config' -f -a path -d 'Print the path of the store file.'
complete -c nemo -n '__nemo_at config' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at config get' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config get' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at config get' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at config get' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config get' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 config get' -x -a 'api_url web_url language skill_source skill_version skill_platform connect_timeout read_timeout retries retry_backoff rate_limit_wait ca_bundle edit.notice_interval edit.idle_timeout edit.timeout edit.recover_first edit.recover_interval edit.recover_looks export.poll_min export.poll_max export.timeout export.error_grace'
complete -c nemo -n '__nemo_at config set' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config set' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at config set' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at config set' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config set' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 config set' -x -a 'api_url web_url language skill_source skill_version skill_platform connect_timeout read_timeout retries retry_backoff rate_limit_wait ca_bundle edit.notice_interval edit.idle_timeout edit.timeout edit.recover_first edit.recover_interval edit.recover_looks export.poll_min export.poll_max export.timeout export.error_grace'
complete -c nemo -n '__nemo_at config unset' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config unset' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at config unset' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at config unset' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config unset' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 config unset' -x -a 'api_url web_url language skill_source skill_version skill_platform connect_timeout read_timeout retries retry_backoff rate_limit_wait ca_bundle edit.notice_interval edit.idle_timeout edit.timeout edit.recover_first edit.recover_interval edit.recover_looks export.poll_min export.poll_max export.timeout export.error_grace'
complete -c nemo -n '__nemo_at config list' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config list' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at config list' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at config list' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config list' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at config path' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config path' -l json-fields -x -d 'Print only these keys of the JSON, comma-separated (e.g'
complete -c nemo -n '__nemo_at config path' -l jq -x -d 'Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json'
complete -c nemo -n '__nemo_at config path' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at doctor' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at doctor' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at doctor' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at completion' -l install -d 'Write the script where SHELL loads it from (and say where) instead of printing it'
complete -c nemo -n '__nemo_at completion' -l rc -d 'With --install: also add the lines SHELL needs to ~/.bashrc or ~/.zshrc, once (fish needs none)'
complete -c nemo -n '__nemo_at completion' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at completion' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at completion' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 completion' -x -a 'bash zsh fish'
complete -c nemo -n '__nemo_at emulator' -f -a serve -d 'Run an emulator until Ctrl-C: prints its base URL on stdout (point NEMO_API_URL at it), one line per request on stderr (not with -q).'
complete -c nemo -n '__nemo_at emulator' -f -a exec -d 'Start an emulator on free loopback ports, run CMD with NEMO_API_URL and NEMO_WEB_URL pointing at it and a throwaway NEMO_CONFIG_DIR (also NEMO_EMULATOR_URL and NEMO_EMULATOR_CDN_URL), stop it, and exit with CMD\'s exit code.'
complete -c nemo -n '__nemo_at emulator' -f -a media -d 'Write a generated test clip: a test pattern with a tone, H.264 + AAC, small and quick to make.'
complete -c nemo -n '__nemo_at emulator' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at emulator serve' -l host -x -d 'Address to listen on'
complete -c nemo -n '__nemo_at emulator serve' -l port -x -d 'API port (0: a free one)'
complete -c nemo -n '__nemo_at emulator serve' -l cdn-port -x -d 'Port of the CDN origin that serves results (0: a free one)'
complete -c nemo -n '__nemo_at emulator serve' -l render-status -x -a 'nested top' -d 'Shape of render status replies: nested (data.status, data.outputUrl) or top (status, output.url)'
complete -c nemo -n '__nemo_at emulator serve' -l sse -x -a 'adk typed' -d 'Event shape of /run_sse: adk (Agent Development Kit) or typed'
complete -c nemo -n '__nemo_at emulator serve' -l silent-rate -x -d 'Share of edits that stream no text at all'
complete -c nemo -n '__nemo_at emulator serve' -l seed -x -d 'Seed of silent edits and fault rates (same seed, same run)'
complete -c nemo -n '__nemo_at emulator serve' -l edit-seconds -x -d 'How long the agent works on a message'
complete -c nemo -n '__nemo_at emulator serve' -l render-seconds -x -d 'How long a render takes (at least)'
complete -c nemo -n '__nemo_at emulator serve' -l keepalive-seconds -x -d 'Keep-alive interval of a /run_sse stream'
complete -c nemo -n '__nemo_at emulator serve' -l credits -x -d 'Credits of each new user'
complete -c nemo -n '__nemo_at emulator serve' -l fault -x -d 'Inject a fault into this share of the requests it applies to (repeatable): status, rate_limit, expire_token, drop, slow, malformed, sse_drop, cut, plan_limit, credits, code, render_fail'
complete -c nemo -n '__nemo_at emulator serve' -l data-dir -r -F -d 'Keep uploads and renders in DIR (default: a temporary directory, removed on exit)'
complete -c nemo -n '__nemo_at emulator serve' -l free-plan -d 'New users are on the free plan: renders are refused with HTTP 402'
complete -c nemo -n '__nemo_at emulator serve' -l download -x -a 'file json json-error html' -d 'How the download fallback (GET /api/render/proxy/ID/download) answers: file (the MP4), json (a signed CDN link in a JSON envelope), json-error (an error envelope with HTTP 200) or html (an HTML page)'
complete -c nemo -n '__nemo_at emulator serve' -l tls-cert -r -F -d 'Serve both origins over https with this certificate (needs --tls-key); clients must trust its CA (SSL_CERT_FILE, ca_bundle)'
complete -c nemo -n '__nemo_at emulator serve' -l tls-key -r -F -d 'The private key of --tls-cert'
complete -c nemo -n '__nemo_at emulator serve' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at emulator serve' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at emulator serve' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at emulator exec' -l host -x -d 'Address to listen on'
complete -c nemo -n '__nemo_at emulator exec' -l port -x -d 'API port (0: a free one)'
complete -c nemo -n '__nemo_at emulator exec' -l cdn-port -x -d 'Port of the CDN origin that serves results (0: a free one)'
complete -c nemo -n '__nemo_at emulator exec' -l render-status -x -a 'nested top' -d 'Shape of render status replies: nested (data.status, data.outputUrl) or top (status, output.url)'
complete -c nemo -n '__nemo_at emulator exec' -l sse -x -a 'adk typed' -d 'Event shape of /run_sse: adk (Agent Development Kit) or typed'
complete -c nemo -n '__nemo_at emulator exec' -l silent-rate -x -d 'Share of edits that stream no text at all'
complete -c nemo -n '__nemo_at emulator exec' -l seed -x -d 'Seed of silent edits and fault rates (same seed, same run)'
complete -c nemo -n '__nemo_at emulator exec' -l edit-seconds -x -d 'How long the agent works on a message'
complete -c nemo -n '__nemo_at emulator exec' -l render-seconds -x -d 'How long a render takes (at least)'
complete -c nemo -n '__nemo_at emulator exec' -l keepalive-seconds -x -d 'Keep-alive interval of a /run_sse stream'
complete -c nemo -n '__nemo_at emulator exec' -l credits -x -d 'Credits of each new user'
complete -c nemo -n '__nemo_at emulator exec' -l fault -x -d 'Inject a fault into this share of the requests it applies to (repeatable): status, rate_limit, expire_token, drop, slow, malformed, sse_drop, cut, plan_limit, credits, code, render_fail'
complete -c nemo -n '__nemo_at emulator exec' -l data-dir -r -F -d 'Keep uploads and renders in DIR (default: a temporary directory, removed on exit)'
complete -c nemo -n '__nemo_at emulator exec' -l free-plan -d 'New users are on the free plan: renders are refused with HTTP 402'
complete -c nemo -n '__nemo_at emulator exec' -l download -x -a 'file json json-error html' -d 'How the download fallback (GET /api/render/proxy/ID/download) answers: file (the MP4), json (a signed CDN link in a JSON envelope), json-error (an error envelope with HTTP 200) or html (an HTML page)'
complete -c nemo -n '__nemo_at emulator exec' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at emulator media' -l seconds -x -d 'Length of the clip'
complete -c nemo -n '__nemo_at emulator media' -l size -x -d 'Picture size (even numbers)'
complete -c nemo -n '__nemo_at emulator media' -s f -l force -d 'Overwrite an existing file at PATH'
complete -c nemo -n '__nemo_at emulator media' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at emulator media' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at emulator media' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 emulator media' -r -F
complete -c nemo -n '__nemo_at help' -s h -l help -d 'Show this message and exit'
