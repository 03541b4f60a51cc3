#!/usr/bin/env bash
# Iterative refinement: a rough cut, a look at it, then refinements in the same session; the session
# keeps the timeline between messages.
#
#   bash examples/iterative.sh INPUT [OUTDIR]
#
# Writes OUTDIR/rough.mp4 (the first pass) and OUTDIR/final.mp4 (after the refinements).
set -euo pipefail
input=${1:?usage: iterative.sh INPUT [OUTDIR]} outdir=${2:-.}
mkdir -p "$outdir"

nemo auth -q >/dev/null
sid=$(nemo session new -q --name "iterate $(basename "$input")")
export NEMO_SESSION=$sid
nemo upload "$input" >&2

nemo edit "cut the best takes, add transitions, and sync background music" >&2
nemo state >&2                               # look at the rough cut
nemo export --wait -o "$outdir/rough.mp4" >&2

for refinement in \
    "make the transitions shorter" \
    "add a title at the start that says Rough Cut, then lower the music to 30%"; do
    nemo edit "$refinement" >&2
    nemo state >&2
done
nemo export --wait -o "$outdir/final.mp4" >&2
printf '%s\n' "$outdir/rough.mp4" "$outdir/final.mp4"
