# fish completion for nemo -- generated from the command tree by `python -m nemo_cli.docgen`; do not edit.
# Install: `nemo completion fish > ~/.config/fish/completions/nemo.fish`.

function __nemo_subcommands --description 'The subcommands of a nemo command path'
    switch "$argv"
        case ''
            printf '%s\n' auth session state credits export config completion
        case 'auth'
            printf '%s\n' login status token logout
        case 'session'
            printf '%s\n' new list use show open
        case 'export'
            printf '%s\n' list status wait download cancel
        case 'config'
            printf '%s\n' get set unset list path
    end
end

function __nemo_value_options --description 'The options of a nemo command path that take a value'
    switch "$argv"
        case ''
            printf '%s\n' -p --profile --api-url
        case 'session new'
            printf '%s\n' -n --name -l --language
        case 'session show'
            printf '%s\n' -s --session
        case 'session open'
            printf '%s\n' -s --session
        case 'state'
            printf '%s\n' -s --session
        case 'export'
            printf '%s\n' -o --output --format --quality -r --resolution --fps --draft --poll-interval --timeout -s --session
        case 'export wait'
            printf '%s\n' -o --output --poll-interval --timeout
        case 'export download'
            printf '%s\n' -o --output
    end
end

function __nemo_parse --description 'Where the line is: __nemo_cmd, __nemo_argn, __nemo_profile'
    set -l line (commandline -pc)
    test "$line" = "$__nemo_line"; and return
    set -g __nemo_line $line
    set -g __nemo_cmd
    set -g __nemo_argn 0
    set -g __nemo_profile
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_of
    set -l dashdash 0
    for t in $tokens
        if test -n "$value_of"
            contains -- $value_of -p --profile; and set __nemo_profile $t
            set value_of
        else if test $dashdash = 1
            set __nemo_argn (math $__nemo_argn + 1)
        else if test "$t" = --
            set dashdash 1
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
        else if string match -qir '\.()$' -- $f
            echo $f
        end
    end
end

complete -c nemo -f
complete -c nemo -n '__nemo_at' -f -a auth -d 'Tokens: acquire, log in, show, print, log out.'
complete -c nemo -n '__nemo_at' -f -a session -d 'Editing sessions: new, list, use, show, open.'
complete -c nemo -n '__nemo_at' -f -a state -d 'Show the timeline of the active session: tracks, spans, volumes, titles, canvas and media.'
complete -c nemo -n '__nemo_at' -f -a credits -d 'Show the credit balance: available, frozen (held by operations in flight) and total.'
complete -c nemo -n '__nemo_at' -f -a export -d 'Render the timeline to an MP4 and download it; follow, fetch or cancel renders.'
complete -c nemo -n '__nemo_at' -f -a config -d 'Settings: get, set, unset, list, path.'
complete -c nemo -n '__nemo_at' -f -a completion -d 'Print the completion script for SHELL: commands, options, session and render ids, media files.'
complete -c nemo -n '__nemo_at' -s V -l version -d 'Print the version and exit'
complete -c nemo -n '__nemo_at' -l debug -d 'Log every request and response to stderr (tokens masked)'
complete -c nemo -n '__nemo_at' -l no-color -d 'No colour, spinners or progress bars'
complete -c nemo -n '__nemo_at' -s p -l profile -x -a '(__nemo_stored profiles)' -d 'Store profile to use (default: NEMO_PROFILE or `default`)'
complete -c nemo -n '__nemo_at' -l api-url -x -d 'API base URL (default: NEMO_API_URL, config, built-in)'
complete -c nemo -n '__nemo_at' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth' -f -a login -d 'Log in with your own token (from the NemoVideo web app).'
complete -c nemo -n '__nemo_at auth' -f -a status -d 'Show the token in effect (masked), its kind and expiry, and the credits.'
complete -c nemo -n '__nemo_at auth' -f -a token -d 'Print the raw token in effect (NEMO_TOKEN or the stored one).'
complete -c nemo -n '__nemo_at auth' -f -a logout -d 'Forget the stored token (the client id is kept, so an anonymous token can be renewed later).'
complete -c nemo -n '__nemo_at auth' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth login' -l with-token -d 'Read the token from standard input'
complete -c nemo -n '__nemo_at auth login' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth login' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth login' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth status' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth status' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth status' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth token' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at auth logout' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at auth logout' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at auth logout' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session' -f -a new -d 'Start a new session and make it the active one.'
complete -c nemo -n '__nemo_at session' -f -a list -d 'List the sessions this profile knows, the active one marked with *.'
complete -c nemo -n '__nemo_at session' -f -a use -d 'Make a session the active one (any id the service knows, also one made elsewhere).'
complete -c nemo -n '__nemo_at session' -f -a show -d 'Show the session in effect (--session, NEMO_SESSION, or the active one).'
complete -c nemo -n '__nemo_at session' -f -a open -d 'Print a browser link to the session\'s project (a claim token, never your API token).'
complete -c nemo -n '__nemo_at session' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session new' -s n -l name -x -d 'Task name (default: a dated one)'
complete -c nemo -n '__nemo_at session new' -s l -l language -x -d 'Language of the session (en, zh-CN, ja…; default: config `language`)'
complete -c nemo -n '__nemo_at session new' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session new' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session new' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session list' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session list' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session list' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session use' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session use' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session use' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 session use' -x -a '(__nemo_stored sessions)'
complete -c nemo -n '__nemo_at session show' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at session show' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session show' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session show' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at session open' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at session open' -s b -l browser -d 'Also open the link in a web browser'
complete -c nemo -n '__nemo_at session open' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at session open' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at session open' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at state' -l draft -d 'Print only the draft JSON (input for `export --draft`)'
complete -c nemo -n '__nemo_at state' -l check-ready -d 'Print nothing; exit 0 if the draft can be exported, 6 if not'
complete -c nemo -n '__nemo_at state' -s s -l session -x -a '(__nemo_stored sessions)' -d 'Session to act on (default: NEMO_SESSION, then the active session)'
complete -c nemo -n '__nemo_at state' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at state' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at state' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at credits' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at credits' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at credits' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at export' -f -a list -d 'List the renders started from this profile, newest first (from the store: no network).'
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
complete -c nemo -n '__nemo_at export' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at export list' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export list' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export list' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at export status' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export status' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export status' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export status' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at export wait' -s o -l output -r -F -d 'Download the video to PATH: a file, a directory (a file named after the render goes inside), or - for stdout'
complete -c nemo -n '__nemo_at export wait' -s f -l force -d 'Overwrite an existing file at PATH'
complete -c nemo -n '__nemo_at export wait' -l poll-interval -x -d 'Look at the render every SECONDS (default: adaptive)'
complete -c nemo -n '__nemo_at export wait' -l timeout -x -d 'Give up waiting after SECONDS (default: setting export.timeout)'
complete -c nemo -n '__nemo_at export wait' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export wait' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export wait' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export wait' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at export download' -s o -l output -r -F -d 'Where to write it: a file, a directory, or - for stdout (default: where it went before, else here)'
complete -c nemo -n '__nemo_at export download' -s f -l force -d 'Overwrite an existing file at PATH'
complete -c nemo -n '__nemo_at export download' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export download' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export download' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export download' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at export cancel' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at export cancel' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at export cancel' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 export cancel' -x -a '(__nemo_stored renders)'
complete -c nemo -n '__nemo_at config' -f -a get -d 'Print a setting\'s value in effect (flag > environment > config > default).'
complete -c nemo -n '__nemo_at config' -f -a set -d 'Store a setting in the profile.'
complete -c nemo -n '__nemo_at config' -f -a unset -d 'Remove a stored setting (its default applies again).'
complete -c nemo -n '__nemo_at config' -f -a list -d 'List every setting with its value in effect and where it comes from.'
complete -c nemo -n '__nemo_at config' -f -a path -d 'Print the path of the store file.'
complete -c nemo -n '__nemo_at config' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at config get' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config get' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config get' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 config get' -x -a 'api_url web_url language skill_source skill_version skill_platform connect_timeout read_timeout retries retry_backoff rate_limit_wait edit.notice_interval edit.idle_timeout edit.timeout edit.recover_first edit.recover_interval edit.recover_looks export.poll_min export.poll_max export.timeout export.error_grace'
complete -c nemo -n '__nemo_at config set' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config set' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config set' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 config set' -x -a 'api_url web_url language skill_source skill_version skill_platform connect_timeout read_timeout retries retry_backoff rate_limit_wait edit.notice_interval edit.idle_timeout edit.timeout edit.recover_first edit.recover_interval edit.recover_looks export.poll_min export.poll_max export.timeout export.error_grace'
complete -c nemo -n '__nemo_at config unset' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config unset' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config unset' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 config unset' -x -a 'api_url web_url language skill_source skill_version skill_platform connect_timeout read_timeout retries retry_backoff rate_limit_wait edit.notice_interval edit.idle_timeout edit.timeout edit.recover_first edit.recover_interval edit.recover_looks export.poll_min export.poll_max export.timeout export.error_grace'
complete -c nemo -n '__nemo_at config list' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config list' -s q -l quiet -d 'Print only the essential value (an id, a path)'
complete -c nemo -n '__nemo_at config list' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at config path' -l json -d 'Print one JSON document (NDJSON for streams) on stdout'
complete -c nemo -n '__nemo_at config path' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_at completion' -s h -l help -d 'Show this message and exit'
complete -c nemo -n '__nemo_arg 0 completion' -x -a 'bash zsh fish'
