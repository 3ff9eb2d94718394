#pragma once
// `coordinator store import|export` (SPEC.md §9): moves guild settings, music toggles and
// supporters between a SQLite file (a single node's store) and etcd (cluster mode), so a
// single node can become a cluster and back.

namespace coord::app {

/// argv[0] is "store". Returns the process exit code (0, or 1 with one line on stderr).
int run_store_command(int argc, char** argv);

} // namespace coord::app
