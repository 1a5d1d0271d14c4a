#!/usr/bin/env python3
"""Which flipped labels does a history-ranked small-loss run find, and which does it keep?

    Scripts/analysis/look-alike-flips.py CLEAN_RUN RUN RATE

RUN is a Fashion-MNIST `fer train` run with `--mask small-loss --selection history --drop-rate
RATE`; CLEAN_RUN is a run of the same data options and seed whose noisy-labels.json holds the
clean labels (start `fer train` with `--label-noise 0.00001`, which flips no label, and stop it
once the file is written). From the averaged losses in RUN's last checkpoint the script selects
RATE x count of each given class, as the rule does at the start of an epoch, and counts the
flipped labels that stay within a group of look-alike classes (a shirt labelled pullover)
among all flipped labels, the kept ones and the dropped ones. Standard library only.
"""
import json
import struct
import sys

# Fashion-MNIST's look-alike groups: tops (T-shirt 0, pullover 2, dress 3, coat 4, shirt 6),
# shoes (sandal 5, sneaker 7, ankle boot 9), trouser 1, bag 8.
GROUP = {0: "top", 2: "top", 3: "top", 4: "top", 6: "top", 5: "shoe", 7: "shoe", 9: "shoe", 1: "trouser", 8: "bag"}


def labels(run):
    with open(f"{run}/noisy-labels.json") as f:
        return json.load(f)["labels"]


def averaged_scores(run):
    """Each sample's averaged score from the mask's history in the last checkpoint's metadata."""
    with open(f"{run}/checkpoints/last.safetensors", "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    history = json.loads(header["__metadata__"]["progress"])["classAwareMask"]["history"]
    return dict(zip(history["indices"], history["averages"]))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    clean_run, run, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
    clean, given, scores = labels(clean_run), labels(run), averaged_scores(run)
    if len(clean) != len(given):
        sys.exit(f"{clean_run} has {len(clean)} labels but {run} has {len(given)}: not the same data")
    selected = set()
    for c in sorted(set(given)):
        members = sorted((i for i, g in enumerate(given) if g == c), key=lambda i: -scores[i])
        selected.update(members[: round(rate * len(members))])
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
