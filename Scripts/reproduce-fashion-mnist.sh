#!/usr/bin/env bash
# The Fashion-MNIST experiment of Docs/Reproduction.md (issue 10): four kinds of label noise,
# five methods, three seeds, then a Markdown table of means and standard deviations.
#
#   Scripts/reproduce-fashion-mnist.sh [OUTPUT_FOLDER]
#
# Noise (NOISES, mode:rate): clean, symmetric 40%, pairwise 30%, instance-dependent 30%.
# Methods (METHODS): baseline; the paper's Ours(T) (fixed, T = THRESHOLD) and Ours(BT) (batch);
# beyond the paper: label-aware (the given label's loss on the semantic neighbour) and
# small-loss, both per class at an estimated rate. Not in the defaults: perfect-mask, the
# baseline trained on the unflipped images only (--drop-flipped-labels): what a perfect dropping
# mask keeps, an oracle reference (skipped without noise); history and history-correct, the
# small-loss rule ranking each sample's averaged loss over its class at the injected rate
# (Co-teaching's known-rate assumption), dropping or relabelling the selection (skipped without noise);
# random, the control for history: a fixed random share of each class at the same rate, whatever the labels.
# Scale (environment variables): TRAIN=20000 TEST=10000 EPOCHS=20 DECAY_EVERY=8 AE_EPOCHS=30 AE_DECAY_EVERY=20 LATENT=32
# SIDE=32 WIDTH=0.25 THRESHOLD=0.5 SIGMA=0.05 SEEDS="0 1 2"; TRAIN_FLAGS (empty) is added to every
# classifier's command, e.g. "--dropout 0 --weight-decay 0 --no-augment" for a network that memorises.
# Batches are shuffled (each image once per epoch), so that every training image is scored once
# per epoch for the AUROC.
# Interrupted? Run it again: finished runs are skipped and unfinished ones resumed. The runs
# go seed by seed, so one seed's full table is ready first.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/reproduce-fashion-mnist}"
TRAIN="${TRAIN:-20000}" TEST="${TEST:-10000}" EPOCHS="${EPOCHS:-20}" DECAY_EVERY="${DECAY_EVERY:-8}" AE_EPOCHS="${AE_EPOCHS:-30}" AE_DECAY_EVERY="${AE_DECAY_EVERY:-20}" LATENT="${LATENT:-32}"
SIDE="${SIDE:-32}" WIDTH="${WIDTH:-0.25}" THRESHOLD="${THRESHOLD:-0.5}" SIGMA="${SIGMA:-0.05}"
SEEDS="${SEEDS:-0 1 2}" NOISES="${NOISES:-symmetric:0 symmetric:0.4 pairwise:0.3 instance:0.3}"
METHODS="${METHODS:-baseline fixed batch label-aware small-loss}"
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
    "$fer" "$@" --run "$folder" --overwrite --quiet
  fi
  touch "$folder/.finished"
}

start=$(date +%s)
for seed in $SEEDS; do
  ae="$out/seed$seed/autoencoder"
  # Only the rules on semantic neighbours need the autoencoder (not baseline, perfect-mask or the small-loss ones).
  needsAutoencoder=no
  for method in $METHODS; do case "$method" in baseline|small-loss|perfect-mask|history|history-correct|random) ;; *) needsAutoencoder=yes ;; esac; done
  if [ "$needsAutoencoder" = yes ]; then
    run "$ae" pretrain-autoencoder "${data[@]}" --side "$SIDE" --latent-size "$LATENT" --pretrain-epochs "$AE_EPOCHS" \
        --pretrain-batch-size 64 --pretrain-learning-rate 3e-3 --pretrain-decay-every "$AE_DECAY_EVERY" --no-output-relu --seed "$seed"
  fi
  for noise in $NOISES; do
    mode="${noise%%:*}" rate="${noise#*:}"
    common=("${data[@]}" --label-noise "$rate" --noise-mode "$mode" --side "$SIDE" --width "$WIDTH" --epochs "$EPOCHS"
            --batch-size 60 --sampling shuffled --decay-every "$DECAY_EVERY" --seed "$seed")
    # Word splitting is meant: TRAIN_FLAGS holds several flags.
    # shellcheck disable=SC2206
    common+=(${TRAIN_FLAGS:-})
    # A rate of 0 (or 0.0) is the clean run, whatever the mode.
    clean=no; awk -v r="$rate" 'BEGIN { exit !(r + 0 == 0) }' && clean=yes
    name="$mode$rate"; [ "$clean" = yes ] && name="clean"
    for method in $METHODS; do
      case "$method" in
        baseline) run "$out/seed$seed/$name/baseline" train "${common[@]}" ;;
        fixed) run "$out/seed$seed/$name/fixed" train "${common[@]}" --mask fixed --threshold "$THRESHOLD" --autoencoder "$ae" --sigma "$SIGMA" ;;
        small-loss) run "$out/seed$seed/$name/small-loss" train "${common[@]}" --mask small-loss ;;
        perfect-mask) [ "$clean" = yes ] || run "$out/seed$seed/$name/perfect-mask" train "${common[@]}" --drop-flipped-labels ;;
        history) [ "$clean" = yes ] || run "$out/seed$seed/$name/history-rate$rate" train "${common[@]}" \
                   --mask small-loss --selection history --drop-rate "$rate" ;;
        random) [ "$clean" = yes ] || run "$out/seed$seed/$name/random-rate$rate" train "${common[@]}" \
                   --mask random --selection history --drop-rate "$rate" ;;
        history-correct) [ "$clean" = yes ] || run "$out/seed$seed/$name/correct-rate$rate" train "${common[@]}" \
                   --mask small-loss --selection history --drop-rate "$rate" --mask-action correct ;;
        *) run "$out/seed$seed/$name/$method" train "${common[@]}" --mask "$method" --autoencoder "$ae" --sigma "$SIGMA" ;;
      esac
    done
  done
  "$fer" summarize "$out" | tee "$out/summary.md"
done
echo "total time $(( $(date +%s) - start )) s"
