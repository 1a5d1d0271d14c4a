#!/usr/bin/env bash
# The README's main command: installs what the build needs, builds in release mode and runs
# `fer demo` (baseline against the batch-threshold mask on Fashion-MNIST with injected label
# noise). Extra arguments go to the demo, e.g. `Scripts/demo.sh --epochs 12 --train-limit 20000`.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
swift build -c release --product fer
# Let the OpenBLAS core guard use the widest kernels this CPU has, even where the machine's
# environment pins an older core; the guard checks the new kernels against a plain loop and
# falls back if they compute wrong results. Set FER_BLAS_CORE=keep to keep the pinned core.
export FER_BLAS_CORE="${FER_BLAS_CORE:-auto}"
exec .build/release/fer demo "$@"
