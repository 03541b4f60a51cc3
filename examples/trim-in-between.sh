#!/usr/bin/env bash
# Trim in between: cut one section out of a clip and join the rest smoothly.
#
#   bash examples/trim-in-between.sh INPUT START END [OUTPUT]
#   bash examples/trim-in-between.sh raw.mp4 0:45 1:20 trimmed.mp4
#
# Exact in and out timestamps (SS, MM:SS or HH:MM:SS) give cleaner cuts than vague ones.
set -euo pipefail
usage="usage: trim-in-between.sh INPUT START END [OUTPUT]"
input=${1:?$usage} start=${2:?$usage} end=${3:?$usage} output=${4:-trimmed.mp4}

nemo auth -q >/dev/null                      # a token; an anonymous one is acquired when there is none
sid=$(nemo session new -q --name "trim $(basename "$input")")
export NEMO_SESSION=$sid                     # pin this script to its session, whatever else runs
nemo upload "$input" >&2
nemo edit "remove the section between $start and $end and join the remaining parts smoothly" >&2
nemo state --check-ready                     # exit 6 if the edit left nothing to export
nemo export --wait -o "$output" >&2
echo "$output"
