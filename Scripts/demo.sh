#!/usr/bin/env bash
# The README's main command: installs what the build needs, builds in release mode and runs
# the main job. Extra arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
swift build -c release --product gemm-bench
.build/release/gemm-bench "$@"
