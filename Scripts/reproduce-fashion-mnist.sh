#!/usr/bin/env bash
# The Fashion-MNIST experiment of Docs/Reproduction.md: 0%, 20% and 40% symmetric label
# noise; baseline, fixed threshold (Ours(T)) and batch threshold (Ours(BT)); 3 seeds each,
# then a Markdown table of means and standard deviations.
#
#   Scripts/reproduce-fashion-mnist.sh [OUTPUT_FOLDER]
#
# Scale (override with environment variables): TRAIN=2000 TEST=2000 EPOCHS=5 AE_EPOCHS=5
# SIDE=32 WIDTH=0.25 THRESHOLD=0.5 SEEDS="0 1 2" NOISES="0 0.2 0.4".
# Interrupted? Run it again: finished runs are skipped and unfinished ones resumed.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/reproduce-fashion-mnist}"
TRAIN="${TRAIN:-2000}" TEST="${TEST:-2000}" EPOCHS="${EPOCHS:-5}" AE_EPOCHS="${AE_EPOCHS:-5}"
SIDE="${SIDE:-32}" WIDTH="${WIDTH:-0.25}" THRESHOLD="${THRESHOLD:-0.5}"
SEEDS="${SEEDS:-0 1 2}" NOISES="${NOISES:-0 0.2 0.4}"
Scripts/install-dependencies.sh
swift build -c release --product fer
export FER_BLAS_CORE="${FER_BLAS_CORE:-auto}"
fer=.build/release/fer
data=(--data fashion-mnist --train-limit "$TRAIN" --test-limit "$TEST")

# Runs one command into a run folder unless it already finished; resumes an unfinished one.
run() {
  local folder="$1"; shift
  if [ -f "$folder/.finished" ]; then echo "done already: $folder"; return; fi
  if [ -f "$folder/checkpoints/last.safetensors" ]; then
    "$fer" "$1" --resume "$folder" --quiet
  else
    "$fer" "$@" --run "$folder" --quiet
  fi
  touch "$folder/.finished"
}

start=$(date +%s)
for seed in $SEEDS; do
  ae="$out/seed$seed/autoencoder"
  run "$ae" pretrain-autoencoder "${data[@]}" --side "$SIDE" --latent-size 32 --pretrain-epochs "$AE_EPOCHS" \
      --pretrain-batch-size 64 --pretrain-learning-rate 3e-3 --no-output-relu --seed "$seed"
  for noise in $NOISES; do
    common=("${data[@]}" --label-noise "$noise" --side "$SIDE" --width "$WIDTH" --epochs "$EPOCHS" --batch-size 60 \
            --decay-every 4 --seed "$seed")
    run "$out/seed$seed/noise$noise/baseline" train "${common[@]}"
    run "$out/seed$seed/noise$noise/fixed" train "${common[@]}" --mask fixed --threshold "$THRESHOLD" --autoencoder "$ae"
    run "$out/seed$seed/noise$noise/batch" train "${common[@]}" --mask batch --autoencoder "$ae"
  done
done
"$fer" summarize "$out" | tee "$out/summary.md"
echo "total time $(( $(date +%s) - start )) s"
