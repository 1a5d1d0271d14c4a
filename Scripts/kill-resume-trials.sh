#!/usr/bin/env bash
# kill -9 at random moments, resume, and compare: does every interrupted run end with the
# uninterrupted run's model, byte for byte?
#
#   Scripts/kill-resume-trials.sh [TRIALS] [KILLS_PER_TRIAL]
#
# Each trial starts a small classifier run on Fashion-MNIST (600 images, 4 epochs), kills it with SIGKILL at a
# random moment (inside steps, evaluation, checkpoint and model writes alike), resumes it
# with --resume, kills again up to KILLS_PER_TRIAL times, then lets it finish and compares
# model.safetensors and the losses in metrics.jsonl with a reference run. Half of the
# trials also stop once with SIGINT (a checkpoint in the middle of an epoch).
# FER=path/to/fer picks the binary (default: .build/release/fer, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-10}
kills=${2:-3}
fer=${FER:-.build/release/fer}
if [ ! -x "$fer" ]; then swift build -c release --product fer >/dev/null; fi
export FER_BLAS_CORE=keep
work=$(mktemp -d /tmp/fer-kill-trials.XXXXXX)
trap 'rm -rf "$work"' EXIT
options=(--side 32 --width 0.25 --epochs 4 --batch-size 20 --train-limit 600 --test-limit 100 --decay-every 2 --quiet)

start=$(date +%s.%N)
"$fer" train --run "$work/reference" "${options[@]}" 2>/dev/null
duration=$(echo "$(date +%s.%N) - $start" | bc)
losses() { python3 -c 'import json,sys; print([json.loads(l)["trainLoss"] for l in open(sys.argv[1])])' "$1/metrics.jsonl"; }
reference_losses=$(losses "$work/reference")
echo "reference run: ${duration}s; killing at random moments in [0, ${duration}]s"

identical=0; differing=0; total_kills=0; sigints=0
for trial in $(seq 1 "$trials"); do
  run="$work/trial-$trial"
  args=(train --run "$run" "${options[@]}")
  for kill_index in $(seq 1 "$kills"); do
    "$fer" "${args[@]}" 2>/dev/null &
    pid=$!
    sleep "$(python3 -c "import random; print(round(random.uniform(0.2, $duration), 2))")"
    if [ $((trial % 2)) -eq 0 ] && [ "$kill_index" -eq 1 ]; then
      kill -INT "$pid" 2>/dev/null && sigints=$((sigints + 1)) || true
    else
      kill -9 "$pid" 2>/dev/null && total_kills=$((total_kills + 1)) || true
    fi
    wait "$pid" 2>/dev/null || true
    # A run killed before it wrote its configuration is started again; otherwise it resumes.
    if [ -f "$run/config.json" ]; then args=(train --resume "$run" --quiet); else args=(train --run "$run" "${options[@]}"); fi
  done
  "$fer" "${args[@]}" 2>/dev/null
  if cmp -s "$work/reference/model.safetensors" "$run/model.safetensors" && [ "$(losses "$run")" = "$reference_losses" ]; then
    identical=$((identical + 1)); echo "trial $trial: identical"
  else
    differing=$((differing + 1)); echo "trial $trial: DIFFERS"
  fi
  leftovers=$(find "$run" -name '.*.tmp' | wc -l)
  [ "$leftovers" -eq 0 ] || echo "trial $trial: $leftovers temporary files left"
done
echo "trials $trials, SIGKILLs $total_kills, SIGINTs $sigints: $identical identical to the uninterrupted run, $differing differ"
[ "$differing" -eq 0 ]
