#!/usr/bin/env bash
# Colour grading: a Lightroom-style grade with exposure, contrast and saturation across the clip.
#
#   bash examples/colour-grade.sh INPUT [OUTPUT] [LOOK]
#   bash examples/colour-grade.sh beach.mov graded.mp4 "warm, slightly faded film look"
#
# Clips under 60 seconds process much faster.
set -euo pipefail
input=${1:?usage: colour-grade.sh INPUT [OUTPUT] [LOOK]} output=${2:-graded.mp4} look=${3:-}

nemo auth -q >/dev/null
sid=$(nemo session new -q --name "grade $(basename "$input")")
export NEMO_SESSION=$sid
nemo upload "$input" >&2
nemo edit "apply Lightroom-style color grading and adjust exposure, contrast, and saturation across the clip${look:+: $look}" >&2
nemo state >&2                               # what the timeline looks like now
nemo export --wait -o "$output" >&2
echo "$output"
