#include "tests/e2e/node_process.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <random>
#include <regex>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace coord::test {

temp_dir::temp_dir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path()
          / ("coord-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-"
             + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

std::vector<char*> to_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args)
    out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

std::optional<int> wait_for(int pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    auto r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status))
        return WEXITSTATUS(status);
      if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
      return -1;
    }
    if (r < 0)
      return -1;
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

} // namespace

node_process::node_process(std::filesystem::path db_path, std::vector<std::string> extra_args)
  : node_process(std::move(db_path), std::move(extra_args), launch_options{}) {}

node_process::~node_process() {
  if (!reaped_) {
    signal(SIGKILL);
    wait_exit(std::chrono::seconds(5));
  }
  if (stdout_fd_ >= 0)
    ::close(stdout_fd_);
}

void node_process::signal(int sig) {
  if (!reaped_)
    ::kill(pid_, sig);
}

std::optional<int> node_process::wait_exit(std::chrono::milliseconds timeout) {
  if (reaped_)
    return std::nullopt;
  auto r = wait_for(pid_, timeout);
  if (r)
    reaped_ = true;
  return r;
}

run_result run_binary(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      std::chrono::milliseconds timeout) {
  return run_binary(args, cwd, launch_options{}, timeout);
}

// --- launch options (fault-injection tests) -----------------------------------------------

namespace {

/// Forks and execs the binary with stdout (and optionally stderr) into a pipe, `launch`
/// applied in the child between fork and exec (only async-signal-safe calls there: the test
/// process may run other threads).
int spawn_launched(std::vector<std::string> args, const std::filesystem::path& cwd,
                   bool capture_stderr, const launch_options& launch, int& read_fd) {
  int fds[2];
  if (::pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  args.insert(args.begin(), COORD_BINARY);
  auto argv = to_argv(args);
  rlimit fsize{};
  if (launch.max_file_bytes && ::getrlimit(RLIMIT_FSIZE, &fsize) != 0)
    throw std::runtime_error("getrlimit failed");
  if (launch.max_file_bytes)
    fsize.rlim_cur = std::min<rlim_t>(static_cast<rlim_t>(*launch.max_file_bytes), fsize.rlim_max);
  const bool drop_root = launch.unprivileged_uid && ::geteuid() == 0;
  const auto uid = static_cast<uid_t>(launch.unprivileged_uid.value_or(0));
  auto pid = ::fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    if (capture_stderr)
      ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    if (::chdir(cwd.c_str()) != 0)
      ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (launch.max_file_bytes) {
      // Ignored, SIGXFSZ no longer kills: the write past the limit fails with EFBIG instead
      // (an ignored disposition survives exec).
      ::signal(SIGXFSZ, SIG_IGN);
      if (::setrlimit(RLIMIT_FSIZE, &fsize) != 0)
        ::_exit(125);
    }
    if (drop_root) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0)
        ::_exit(124);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  read_fd = fds[0];
  return pid;
}

} // namespace

node_process::node_process(std::filesystem::path db_path, std::vector<std::string> extra_args,
                           const launch_options& launch) {
  std::vector<std::string> args{
    std::string{"--config-file="} + COORD_SOURCE_DIR + "/conf/coordinator.ini",
    "--coordinator.port=0",
    "--console.port=0",
    "--store.path=" + db_path.string(),
    std::string{"--companion.key="} + companion_key,
    std::string{"--admin.token="} + admin_token,
    "--log.level=warn",
  };
  for (auto& a : extra_args)
    args.push_back(std::move(a));
  pid_ = spawn_launched(std::move(args), db_path.parent_path(), false, launch, stdout_fd_);
  std::string seen;
  std::regex line_re{R"(http\+websocket listening on [0-9.]+:([0-9]+))"};
  std::regex console_re{R"(console listening on [0-9.]+:([0-9]+))"};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 100) > 0) {
      char buf[512];
      auto n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0)
        break;
      seen.append(buf, static_cast<std::size_t>(n));
      std::smatch m, c;
      if (std::regex_search(seen, m, line_re) && std::regex_search(seen, c, console_re)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
        console_port_ = static_cast<std::uint16_t>(std::stoi(c[1].str()));
        return;
      }
    }
  }
  signal(SIGKILL);
  wait_exit(std::chrono::seconds(5));
  throw std::runtime_error("coordinator did not start; stdout: " + seen);
}

bool set_max_file_bytes(int pid, std::optional<std::uint64_t> bytes) {
  rlimit now{};
  if (::prlimit(pid, RLIMIT_FSIZE, nullptr, &now) != 0)
    return false;
  now.rlim_cur = bytes ? std::min<rlim_t>(static_cast<rlim_t>(*bytes), now.rlim_max) : now.rlim_max;
  return ::prlimit(pid, RLIMIT_FSIZE, &now, nullptr) == 0;
}

run_result run_binary(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const launch_options& launch, std::chrono::milliseconds timeout) {
  int fd = -1;
  auto pid = spawn_launched(args, cwd, true, launch, fd);
  run_result out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 50) > 0) {
      char buf[1024];
      auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0)
        break;
      out.output.append(buf, static_cast<std::size_t>(n));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
  }
  ::close(fd);
  auto code = wait_for(pid, std::chrono::seconds(5));
  out.exit_code = code ? *code : -1;
  return out;
}

} // namespace coord::test
