# Sourced by bench/run.sh and bench/smoke.sh: start/stop one coordinator on port 0 with a
# temporary store. Needs COORD_BIN and SRC_DIR; sets NODE_PID, NODE_PORT, NODE_CONSOLE_PORT,
# NODE_DIR.

start_node() {  # extra coordinator options as arguments
  case "$COORD_BIN" in /*) ;; *) COORD_BIN=$PWD/$COORD_BIN ;; esac
  NODE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/coord-bench.XXXXXX")
  local conf=""
  [ -f "$SRC_DIR/conf/coordinator.ini" ] && conf="--config-file=$SRC_DIR/conf/coordinator.ini"
  ( cd "$NODE_DIR" && exec "$COORD_BIN" $conf --coordinator.port=0 --console.port=0 \
      --store.path="$NODE_DIR/store.db" --log.level=warn "$@" ) >"$NODE_DIR/stdout" 2>"$NODE_DIR/stderr" &
  NODE_PID=$!
  NODE_PORT=""
  local i
  for i in $(seq 1 150); do  # 15 s
    NODE_PORT=$(sed -n 's/.*http+websocket listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$NODE_DIR/stdout" | head -n1)
    NODE_CONSOLE_PORT=$(sed -n 's/.*console listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$NODE_DIR/stdout" | head -n1)
    [ -n "$NODE_PORT" ] && return 0
    if ! kill -0 "$NODE_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "coordinator did not start; stdout:" >&2; cat "$NODE_DIR/stdout" >&2
  echo "stderr:" >&2; cat "$NODE_DIR/stderr" >&2
  stop_node
  return 1
}

stop_node() {
  if [ -n "${NODE_PID:-}" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID" 2>/dev/null
    local i
    for i in $(seq 1 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NODE_PID" 2>/dev/null
    wait "$NODE_PID" 2>/dev/null
  fi
  NODE_PID=""
  NODE_CONSOLE_PORT=""
  [ -n "${NODE_DIR:-}" ] && rm -rf "$NODE_DIR"
  NODE_DIR=""
}
