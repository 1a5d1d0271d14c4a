#!/usr/bin/env bash
# Builds the DocC documentation of every library module and fails on any warning
# (undocumented parameter, broken symbol link, missing Topics entry), printing them.
# Usage: Scripts/check-docs.sh [Module ...]   (default: every library module)
set -uo pipefail
cd "$(dirname "$0")/.."

modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
    modules=(Tensors NeuralNetworks ImageDatasets Pictures ExpressionRecognition Distributed)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
for module in "${modules[@]}"; do
    if ! swift package generate-documentation --target "$module" >"$log" 2>&1; then
        echo "$module: generate-documentation failed:"
        tail -n 40 "$log"
        failed=1
        continue
    fi
    # Each warning with the source line DocC points at (the line after it).
    warnings=$(grep -A1 '^warning:' "$log" | grep -v '^--$')
    count=$(grep -c '^warning:' "$log")
    if [ "$count" -gt 0 ]; then
        echo "$module: $count warning(s)"
        echo "$warnings"
        failed=1
    else
        echo "$module: no warnings"
    fi
done
exit $failed
