#pragma once
// `coordinator console [--host H] [--port P] [-c COMMAND]` (SPEC.md §8): a line client of a
// running node's debug console. Plain POSIX sockets; libedit for the interactive prompt.

namespace coord::app {

/// Runs the console client; argv[0] is "console". Returns the process exit code: 0 when the
/// command(s) were answered, 1 when it cannot connect or the connection is lost, 2 for a bad
/// option.
int run_console_client(int argc, char** argv);

} // namespace coord::app
