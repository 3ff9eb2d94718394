#!/usr/bin/env bash
# Installs the Debian 12 packages the coordinator needs to build and test, only when missing.
# Runs as root or through sudo. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libcaf-dev
  libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev
  zlib1g-dev libsqlite3-dev libspdlog-dev libfmt-dev libedit-dev
  python3 sqlite3 curl
  clang-14 libclang-rt-14-dev llvm-14
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm fetches uPlot for /dashboard (web/) and playwright-core for the browser test. A node
# already on the PATH (e.g. from NodeSource, which bundles npm) is kept: Debian's npm
# package would conflict with it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
