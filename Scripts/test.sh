#!/usr/bin/env bash
# The README's test command: installs what the build needs, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
swift build --build-tests
swift test --skip-build "$@"
