#!/usr/bin/env bash
# Demo clip: the best moments of a longer walkthrough, compiled into a short demo.
#
#   bash examples/demo-clip.sh INPUT [SECONDS] [OUTPUT]
#   bash examples/demo-clip.sh walkthrough.mp4 60 demo.mp4
#
# Sources under two minutes give tighter results.
set -euo pipefail
input=${1:?usage: demo-clip.sh INPUT [SECONDS] [OUTPUT]} seconds=${2:-60} output=${3:-demo.mp4}
case $seconds in *[!0-9]* | "") echo "demo-clip.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;; esac

nemo auth -q >/dev/null
sid=$(nemo session new -q --name "demo $(basename "$input")")
export NEMO_SESSION=$sid
nemo upload "$input" >&2
nemo edit "trim the best moments and compile them into a ${seconds}-second demo clip" >&2
nemo state --check-ready
nemo export --wait -o "$output" >&2
echo "$output"
