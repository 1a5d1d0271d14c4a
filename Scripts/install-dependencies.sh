#!/usr/bin/env bash
# Installs the Debian packages the project builds and runs against. Safe to run again:
# packages already present are skipped without touching the network.
set -euo pipefail
packages=(pkg-config libopenblas-dev liblapacke-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev dataset-fashion-mnist)
# Open MPI: the Distributed module, mpirun for its tests (Docs/Distributed.md).
packages+=(libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
