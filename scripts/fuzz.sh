#!/usr/bin/env bash
# Builds and runs the libFuzzer targets over proto/ (fuzz/, docs/reliability.md).
#   bash scripts/fuzz.sh smoke              configure + build the fuzz preset, ctest --preset fuzz
#   bash scripts/fuzz.sh long SECONDS [TARGET...]
#                                           each target (default: all) SECONDS, one after another
#                                           at nice 10, on build/fuzz/corpus/<target> (kept between
#                                           runs), then per-target figures
# FUZZ_FLAGS adds libFuzzer options to the long runs (e.g. -use_value_profile=1); JOBS sets the
# build's parallelism (default: nproc). Figures: cov@ = how far into the run cov: last grew;
# corp = libFuzzer's corpus units at the end; files/bytes = build/fuzz/corpus/<target> on disk
# (reduced inputs pile up there; -merge=1 into an empty folder shrinks it).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(fuzz_companion fuzz_gateway fuzz_gateway_cache fuzz_voice fuzz_admin fuzz_zlib)
# Golden data of each target (tests/data/<dialect>) and its dictionary (fuzz/dict/<name>.dict).
declare -A golden=([fuzz_companion]=companion [fuzz_gateway]=gateway
                   [fuzz_gateway_cache]=gateway [fuzz_voice]=voice [fuzz_admin]=admin
                   [fuzz_zlib]=gateway)
declare -A dict=([fuzz_companion]=companion [fuzz_gateway]=gateway
                 [fuzz_gateway_cache]=gateway [fuzz_voice]=voice [fuzz_admin]=admin)

# The same sanitizer settings as the fuzz test preset.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-14/bin/llvm-symbolizer}

build() {
  bash scripts/setup.sh
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "${JOBS:-$(nproc)}"
}

# The number after `key:` on a libFuzzer status line of a log ($2: first = INITED, else last).
status_field() {
  local log=$1 which=$2 key=$3 line
  if [ "$which" = first ]; then
    line=$(grep -m1 -E '^#[0-9]+[[:space:]]+INITED' "$log" || true)
  else
    line=$(grep -E '^#[0-9]+[[:space:]].*cov:' "$log" | tail -n1 || true)
  fi
  sed -nE "s/.*[[:space:]]$key:[[:space:]]*([0-9]+).*/\\1/p" <<<"$line"
}

# How far into a run (percent of its executions) `cov:` last grew: near 100 = still growing.
last_cov_gain() {
  local log=$1 execs=$2
  awk -v total="$execs" '/^#[0-9]+[[:space:]]/ && / cov: / {
      n = substr($1, 2); for (i = 1; i <= NF; i++) if ($i == "cov:") c = $(i + 1)
      if (c != last) { last = c; at = n } }
    END { if (total > 0) printf "%d%%", 100 * at / total; else print "?" }' "$log"
}

long() {
  local seconds=$1 failed=0
  shift
  local run=("$@")
  [ ${#run[@]} -eq 0 ] && run=("${targets[@]}")
  mkdir -p build/fuzz/corpus build/fuzz/logs build/fuzz/artifacts
  local report=build/fuzz/logs/summary.txt
  printf '%-19s %8s %10s %11s %11s %5s %6s %6s %9s  %s\n' target cpu_s execs \
    'cov start/end' 'ft start/end' 'cov@' corp files bytes result >"$report"
  for t in "${run[@]}"; do
    if [ -z "${golden[$t]:-}" ]; then
      echo "fuzz: unknown target $t (one of: ${targets[*]})" >&2
      return 2
    fi
    local corpus=build/fuzz/corpus/$t log=build/fuzz/logs/$t.log times=build/fuzz/logs/$t.time
    mkdir -p "$corpus"
    local args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
                -artifact_prefix="build/fuzz/artifacts/$t-")
    [ -n "${dict[$t]:-}" ] && args+=(-dict="fuzz/dict/${dict[$t]}.dict")
    # shellcheck disable=SC2206 # FUZZ_FLAGS is a list of options
    args+=(${FUZZ_FLAGS:-})
    local inputs=("$corpus" fuzz/corpus/"$t" tests/data/"${golden[$t]}")
    [ -d fuzz/regressions/"$t" ] && inputs+=(fuzz/regressions/"$t")
    echo "fuzz: $t for ${seconds}s (log $log)"
    local rc=0 TIMEFORMAT='%U %S'
    { time nice -n 10 build/fuzz/fuzz/"$t" "${args[@]}" "${inputs[@]}" >"$log" 2>&1; } \
      2>"$times" || rc=$?
    local cpu execs files bytes result=ok
    cpu=$(awk '{printf "%.1f", $1 + $2}' "$times")
    execs=$(sed -nE 's/^stat::number_of_executed_units:[[:space:]]*([0-9]+).*/\1/p' "$log")
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    if [ "$rc" -ne 0 ]; then
      failed=1
      result="FAILED rc=$rc: $( (ls -t build/fuzz/artifacts/"$t"-* 2>/dev/null || true) | head -n1)"
    fi
    printf '%-19s %8s %10s %11s %11s %5s %6s %6s %9s  %s\n' "$t" "$cpu" "${execs:-?}" \
      "$(status_field "$log" first cov)/$(status_field "$log" last cov)" \
      "$(status_field "$log" first ft)/$(status_field "$log" last ft)" \
      "$(last_cov_gain "$log" "${execs:-0}")" "$(status_field "$log" last corp)" \
      "$files" "$bytes" "$result" >>"$report"
  done
  cat "$report"
  if [ "$failed" -ne 0 ]; then
    echo "fuzz: a target failed; minimise with build/fuzz/fuzz/<target> -minimize_crash=1" \
         "-runs=100000 <artifact>, then add it under fuzz/regressions/<target>/" >&2
    return 1
  fi
}

case "${1:-}" in
  smoke)
    build
    ctest --preset fuzz
    ;;
  long)
    if ! [[ "${2:-}" =~ ^[0-9]+$ ]]; then
      echo "usage: bash scripts/fuzz.sh long <seconds-per-target> [target...]" >&2
      exit 2
    fi
    build
    long "${@:2}"
    ;;
  *)
    echo "usage: bash scripts/fuzz.sh smoke | long <seconds-per-target> [target...]" >&2
    exit 2
    ;;
esac
