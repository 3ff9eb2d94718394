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
  python3-websockets
  # the package stage (scripts/package-test.sh): cpack's dpkg-shlibdeps and file, lintian,
  # systemd-analyze (the systemd package starts nothing where systemd is not PID 1)
  dpkg-dev file lintian systemd adduser
  # the browser stage (tests/browser): headless chromium driven by playwright-core
  chromium
  # the cluster stage (tests/cluster) and scripts/cluster.sh: real etcd members on 127.0.0.1
  etcd-server etcd-client
)
# npm fetches uPlot for /dashboard (web/, at configure), playwright-core for the browser
# stage and ws for the examples: Debian's nodejs/npm, unless a node with npm is on the PATH
# already (e.g. NodeSource's nodejs, which bundles npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done


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
