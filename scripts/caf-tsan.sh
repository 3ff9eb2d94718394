#!/usr/bin/env bash
# Builds CAF 0.17.6 -- the very source of Debian's libcaf-dev, taken from Debian's archive and
# checked against the archive's checksum -- with ThreadSanitizer, and installs it under
# build/caf-tsan/install. The `tsan` preset builds the coordinator against it, so that TSan
# sees CAF's own mailboxes and scheduler queues and needs no suppression (against Debian's
# uninstrumented libcaf_core.so every spawn is a false report: docs/reliability.md). Takes
# ~6 min on 2 cores, once; `bash scripts/test.sh tsan` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/build/caf-tsan
prefix=$root/install
[ -f "$prefix/.complete" ] && { echo "caf-tsan: already built in $prefix"; exit 0; }

tarball=actor-framework_0.17.6.orig.tar.gz
sha256=e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c
url=${CAF_TSAN_URL:-http://deb.debian.org/debian/pool/main/a/actor-framework/$tarball}
mkdir -p "$root"
if ! echo "$sha256  $root/$tarball" | sha256sum -c --status 2>/dev/null; then
  curl -fsSL --retry 3 -o "$root/$tarball" "$url"
  echo "$sha256  $root/$tarball" | sha256sum -c --quiet
fi
rm -rf "$root/src" "$root/build"
mkdir -p "$root/src"
tar -xzf "$root/$tarball" -C "$root/src" --strip-components=1
# The one build fix Debian also carries: receive_buffer.hpp uses std::numeric_limits.
sed -i 's|#include <cstddef>|#include <cstddef>\n#include <limits>|' \
  "$root/src/libcaf_io/caf/io/network/receive_buffer.hpp"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root/src" -B "$root/build" -G Ninja "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g1" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_OPENCL=yes \
  -DCAF_NO_PYTHON=yes -DCAF_NO_TOOLS=yes -DCAF_NO_COMPILER_CHECK=yes -DCAF_NO_SUMMARY=yes \
  >/dev/null
cmake --build "$root/build" -j "${JOBS:-$(nproc)}"
cmake --install "$root/build" >/dev/null
touch "$prefix/.complete"
echo "caf-tsan: CAF 0.17.6 with ThreadSanitizer installed in $prefix"
