#!/usr/bin/env bash
# Batch: several files, each with its own instruction and its own render.
#
#   bash examples/batch.sh OUTDIR INSTRUCTION FILE...
#   bash examples/batch.sh renders "add a title with the file name and fade in and out" clips/*.mp4
#
# Every file gets a session of its own (pinned with NEMO_SESSION, so nothing depends on which session is
# active) and one render, OUTDIR/<name>.mp4. A file that fails does not stop the others: the script
# reports it with nemo's exit code and exits non-zero at the end.
set -uo pipefail
usage="usage: batch.sh OUTDIR INSTRUCTION FILE..."
outdir=${1:?$usage} instruction=${2:?$usage}
shift 2
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
mkdir -p "$outdir"
nemo auth -q >/dev/null || exit

one() {  # one file, start to finish; stops at the first failing step with that step's exit code
    local file=$1 name sid
    name=$(basename "${file%.*}")
    sid=$(nemo session new -q --name "batch $name") || return
    export NEMO_SESSION=$sid
    nemo upload "$file" >&2 &&
        nemo edit "$instruction" >&2 &&
        nemo export --wait -o "$outdir/$name.mp4" >&2 &&
        echo "$outdir/$name.mp4"
}

failed=0
for file in "$@"; do
    one "$file" || { status=$?; echo "batch.sh: $file failed (exit $status)" >&2; failed=$((failed + 1)); }
done
[ "$failed" -eq 0 ] || { echo "batch.sh: $failed of $# files failed" >&2; exit 1; }
