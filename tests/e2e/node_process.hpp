#pragma once
// Starts the built coordinator binary as a child process for end-to-end tests.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coord::test {

/// A fresh directory under the system temp dir, removed on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// The secrets every e2e node is started with.
inline constexpr const char* companion_key = "test-companion-key";
inline constexpr const char* admin_token = "test-admin-token";

/// The Authorization header of the admin API.
inline std::pair<std::string, std::string> admin_auth() {
  return {"Authorization", std::string{"Bearer "} + admin_token};
}

/// How a child starts, beyond its arguments: the faults the fault-injection tests
/// (tests/e2e/fault_*_test.cpp) put on the process itself.
struct launch_options {
  /// RLIMIT_FSIZE (soft limit only, so it can be raised again on the running child with
  /// set_max_file_bytes) with SIGXFSZ ignored: a write that would make any file larger than
  /// this fails with EFBIG, as on a full disk.
  std::optional<std::uint64_t> max_file_bytes;
  /// Only when this process runs as root: the child runs as this uid and gid, so file modes
  /// bind it (root ignores them).
  std::optional<unsigned> unprivileged_uid;
};

/// One coordinator process on a free port, its SQLite file in `db_path`.
class node_process {
public:
  /// Starts the node (console on a free port unless `extra_args` say otherwise) and waits (up
  /// to 15 s) for both "listening on" lines; throws on failure.
  explicit node_process(std::filesystem::path db_path, std::vector<std::string> extra_args = {});
  /// The same, with `launch` applied to the child (fault-injection tests).
  node_process(std::filesystem::path db_path, std::vector<std::string> extra_args,
               const launch_options& launch);
  ~node_process();
  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  std::uint16_t port() const { return port_; }
  /// The debug console's port.
  std::uint16_t console_port() const { return console_port_; }
  int pid() const { return pid_; }

  /// Sends `sig` to the process.
  void signal(int sig);

  /// Waits for the process to end; its exit code (128+signal when killed), or nullopt on
  /// timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t console_port_ = 0;
  bool reaped_ = false;
};

/// Runs the coordinator binary with `args` (no defaults added) in `cwd` and returns its exit
/// code and everything it printed on stdout and stderr. Kills it after `timeout`.
struct run_result {
  int exit_code = -1;
  std::string output;
};
run_result run_binary(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Sets the soft RLIMIT_FSIZE of the running process `pid` (nullopt: as high as its hard
/// limit); false when the kernel refused.
bool set_max_file_bytes(int pid, std::optional<std::uint64_t> bytes);

/// run_binary with `launch` applied to the child.
run_result run_binary(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const launch_options& launch,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

} // namespace coord::test
