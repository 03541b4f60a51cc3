#!/usr/bin/env bash
# The README's main job, start to finish: a token, a session, a clip uploaded, one edit in words, the
# timeline, and the rendered MP4 downloaded. It makes its own test clip, so it needs nothing but nemo;
# run it against the local emulator:
#
#   nemo emulator exec -- bash examples/quick-edit.sh [OUTPUT]      # OUTPUT defaults to out.mp4
#
# The result is the clip without its 0:02-0:04 section (two seconds shorter than the source), with the
# title "Quick edit" drawn over its first three seconds: open it and the edit is there to see.
set -euo pipefail
output=${1:-out.mp4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

nemo emulator media "$work/clip.mp4" >&2     # a short generated clip with picture and sound
nemo auth -q >/dev/null                      # a token; an anonymous one is acquired when there is none
sid=$(nemo session new -q --name "quick edit")
export NEMO_SESSION=$sid                     # pin this script to its session, whatever else runs
nemo upload "$work/clip.mp4" >&2
nemo edit "remove the section between 0:02 and 0:04 and join the remaining parts, then add a title \"Quick edit\"" >&2
nemo state >&2
nemo export --wait -o "$output" --force >&2  # --force: running the demo again replaces its out.mp4
echo "$output"
