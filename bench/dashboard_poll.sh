#!/usr/bin/env bash
# The node's side of an open dashboard without a browser: GET /api/v1/dashboard once a second,
# as the page does, so an A/B run shows what serving the polls costs the node (a headless
# browser on the same CPUs adds its own rendering to the measurement).
#   bench/dashboard_poll.sh PORT ADMIN_TOKEN SECONDS   (SECONDS 0: until SIGTERM)
# Prints "dashboard open" at the first answer and "dashboard closed: polls=N failed=M" at the end.
set -u
[ $# -eq 3 ] || { echo "usage: $0 PORT ADMIN_TOKEN SECONDS" >&2; exit 2; }
port=$1 token=$2 seconds=$3
polls=0 failed=0
finish() { echo "dashboard closed: polls=$polls failed=$failed"; exit 0; }
trap finish TERM INT
start=$(date +%s)
while [ "$seconds" = 0 ] || [ $(( $(date +%s) - start )) -lt "$seconds" ]; do
  if curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/dashboard"; then
    [ $polls -eq 0 ] && echo "dashboard open"
    polls=$((polls + 1))
  else
    failed=$((failed + 1))
  fi
  sleep 1 &
  wait $!
done
finish
