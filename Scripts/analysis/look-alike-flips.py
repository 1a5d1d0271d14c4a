#!/usr/bin/env python3
"""Which flipped labels does a history-ranked small-loss run find, and which does it keep?

    Scripts/analysis/look-alike-flips.py CLEAN_RUN RUN RATE

RUN is a Fashion-MNIST `fer train` run with `--mask small-loss --selection history --drop-rate
RATE`; CLEAN_RUN is a run of the same data options and seed whose noisy-labels.json holds the
clean labels (start `fer train` with `--label-noise 1e-9`, which flips no label, and stop it
once the file is written). From the averaged losses in RUN's last checkpoint the script selects
RATE x count of each given class among the samples seen in the last epoch, as the rule does at
the start of an epoch (counts rounded half away from zero, as Swift rounds), and counts the
flipped labels that stay within a group of look-alike classes (a shirt labelled pullover)
among all flipped labels, the kept ones and the dropped ones. Standard library only.
"""
import json
import math
import struct
import sys

# Fashion-MNIST's look-alike groups: tops (T-shirt 0, pullover 2, dress 3, coat 4, shirt 6),
# shoes (sandal 5, sneaker 7, ankle boot 9), trouser 1, bag 8.
GROUP = {0: "top", 2: "top", 3: "top", 4: "top", 6: "top", 5: "shoe", 7: "shoe", 9: "shoe", 1: "trouser", 8: "bag"}


def labels(run):
    with open(f"{run}/noisy-labels.json") as f:
        return json.load(f)["labels"]


def averaged_scores(run):
    """The averaged score of each sample seen in the last epoch, from the mask's history in the
    last checkpoint's metadata (the rule ranks only those)."""
    with open(f"{run}/checkpoints/last.safetensors", "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    history = json.loads(header["__metadata__"]["progress"])["classAwareMask"]["history"]
    last = max(history["lastEpochs"])
    return {i: a for i, a, e in zip(history["indices"], history["averages"], history["lastEpochs"]) if e == last}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    clean_run, run, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
    clean, given, scores = labels(clean_run), labels(run), averaged_scores(run)
    if len(clean) != len(given):
        sys.exit(f"{clean_run} has {len(clean)} labels but {run} has {len(given)}: not the same data")
    with open(f"{run}/noisy-labels.json") as f:
        expected = math.floor(json.load(f)["labelNoise"] * len(given) + 0.5)
    differing = sum(c != g for c, g in zip(clean, given))
    if differing != expected:
        sys.exit(f"{run} flipped {expected} labels, but {differing} differ from {clean_run}'s: not the same data and seed")
    selected = set()
    for c in sorted(set(given)):
        members = sorted((i for i, g in enumerate(given) if g == c and i in scores), key=lambda i: -scores[i])
        selected.update(members[: math.floor(rate * len(members) + 0.5)])
    flipped = [i for i in range(len(given)) if given[i] != clean[i]]
    parts = {"all flipped": flipped,
             "kept": [i for i in flipped if i not in selected],
             "dropped": [i for i in flipped if i in selected]}
    print(f"{run}: {len(flipped)} flipped labels, {len(selected)} selected")
    for name, members in parts.items():
        within = sum(GROUP[clean[i]] == GROUP[given[i]] for i in members)
        print(f"  {name}: {len(members)}, of which {within} within a look-alike group ({within / max(1, len(members)):.1%})")


if __name__ == "__main__":
    main()
