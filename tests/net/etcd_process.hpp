#pragma once
// Real etcd members on 127.0.0.1 for the etcd_client tests: free ports, a data dir in a temp
// dir, started as child processes and killed by PID (SIGKILL; and by the kernel if the test
// process dies first: PR_SET_PDEATHSIG).

#include "tests/support/raw_tcp.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace coord::net::testing {

inline constexpr const char* etcd_binary = "/usr/bin/etcd";

/// A socket bound to 127.0.0.1 on a port the kernel picked; listening when asked (then it
/// accepts TCP connections into its backlog and never answers: a hung server).
class tcp_port {
public:
  explicit tcp_port(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (listening && ::listen(fd_, 64) != 0))
      throw std::runtime_error("cannot bind a free port on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
  }
  ~tcp_port() { close(); }
  tcp_port(const tcp_port&) = delete;
  tcp_port& operator=(const tcp_port&) = delete;
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }
  std::uint16_t port() const { return port_; }
  int fd() const { return fd_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// A server that accepts connections and never answers (nor closes them until destroyed);
/// given `reply`, it reads each request's header, writes `reply` and then holds on.
class hung_server {
public:
  explicit hung_server(std::string reply = {}) : listener_(true), reply_(std::move(reply)) {
    thread_ = std::thread([this] {
      for (;;) {
        const int fd = ::accept(listener_fd(), nullptr, nullptr);
        if (fd < 0)
          return; // shut down
        if (!reply_.empty())
          answer(fd);
        std::lock_guard lock(mtx_);
        held_.push_back(fd);
        cv_.notify_all();
      }
    });
  }
  ~hung_server() {
    ::shutdown(listener_fd(), SHUT_RDWR); // wakes accept()
    thread_.join();
    for (const int fd : held_)
      ::close(fd);
  }
  std::string url() const { return listener_.url(); }
  std::size_t connections() {
    std::lock_guard lock(mtx_);
    return held_.size();
  }
  bool wait_connections(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mtx_);
    return cv_.wait_for(lock, timeout, [&] { return held_.size() >= n; });
  }

private:
  void answer(int fd) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    [[maybe_unused]] const auto sent = ::send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
  }
  int listener_fd() const { return listener_.fd(); }
  tcp_port listener_;
  std::string reply_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<int> held_;
  std::thread thread_;
};

/// A port nothing listens on (bound then released: connecting there is refused).
inline std::uint16_t free_port() {
  tcp_port p(false);
  return p.port();
}

/// One etcd member process; the destructor kills it.
class etcd_member {
public:
  etcd_member(std::string name, std::filesystem::path dir, std::uint16_t client_port,
              std::uint16_t peer_port)
    : name_(std::move(name)), dir_(std::move(dir)), client_port_(client_port),
      peer_port_(peer_port) {}
  ~etcd_member() { kill(); }
  etcd_member(const etcd_member&) = delete;
  etcd_member& operator=(const etcd_member&) = delete;

  std::string client_url() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
  std::string peer_url() const { return "http://127.0.0.1:" + std::to_string(peer_port_); }
  std::uint16_t client_port() const { return client_port_; }
  const std::string& name() const { return name_; }

  /// Starts the process (again, after kill(): same data dir and ports).
  void start(const std::string& initial_cluster) {
    BOOST_REQUIRE_MESSAGE(::access(etcd_binary, X_OK) == 0,
                          "etcd is missing (" << etcd_binary
                                              << "): scripts/setup.sh installs etcd-server");
    BOOST_REQUIRE(pid_ <= 0);
    std::vector<std::string> args = {
      etcd_binary,
      "--name=" + name_,
      "--data-dir=" + (dir_ / (name_ + ".etcd")).string(),
      "--listen-client-urls=" + client_url(),
      "--advertise-client-urls=" + client_url(),
      "--listen-peer-urls=" + peer_url(),
      "--initial-advertise-peer-urls=" + peer_url(),
      "--initial-cluster=" + initial_cluster,
      "--initial-cluster-state=new",
      "--initial-cluster-token=" + dir_.filename().string(),
      "--heartbeat-interval=100",
      "--election-timeout=1000",
      "--logger=zap",
      "--log-level=warn",
    };
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const auto log = (dir_ / (name_ + ".log")).string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    BOOST_REQUIRE_MESSAGE(pid >= 0, "fork failed");
    if (pid == 0) {
      // Child: async-signal-safe calls only until exec (the parent has threads).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(126);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(etcd_binary, argv.data());
      ::_exit(127);
    }
    pid_ = pid;
  }

  /// SIGKILL, and reap.
  void kill() {
    if (pid_ <= 0)
      return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  /// SIGSTOP / SIGCONT: a member that is there (its sockets accept) but does nothing.
  void pause() {
    if (pid_ > 0)
      ::kill(pid_, SIGSTOP);
  }
  void resume() {
    if (pid_ > 0)
      ::kill(pid_, SIGCONT);
  }

  /// True once GET /health says so; fails the test (with the log's tail) after `timeout`
  /// or when the process exits.
  void wait_healthy(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string request =
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        BOOST_FAIL("etcd " << name_ << " exited: " << log_tail());
      }
      try {
        const auto reply =
          test::raw_exchange(client_port_, request, std::chrono::milliseconds(1000));
        if (reply.received.find("\"health\":\"true\"") != std::string::npos)
          return;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_FAIL("etcd " << name_ << " not healthy in time: " << log_tail());
  }

  std::string log_tail() const {
    std::ifstream in(dir_ / (name_ + ".log"));
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  }

private:
  std::string name_;
  std::filesystem::path dir_;
  std::uint16_t client_port_;
  std::uint16_t peer_port_;
  pid_t pid_ = -1;
};

/// `size` members in a fresh temp dir, started and healthy; everything removed at the end.
class etcd_cluster {
public:
  explicit etcd_cluster(std::size_t size) {
    auto tmpl = (std::filesystem::temp_directory_path() / "etcd_test_XXXXXX").string();
    BOOST_REQUIRE_MESSAGE(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    dir_ = tmpl;
    {
      // Every port held until all are picked, so no two are the same.
      std::vector<std::unique_ptr<tcp_port>> ports;
      for (std::size_t i = 0; i < 2 * size; ++i)
        ports.push_back(std::make_unique<tcp_port>(false));
      for (std::size_t i = 0; i < size; ++i)
        members_.push_back(std::make_unique<etcd_member>(
          "m" + std::to_string(i), dir_, ports[2 * i]->port(), ports[2 * i + 1]->port()));
    }
    for (auto& m : members_)
      m->start(initial_cluster());
    for (auto& m : members_)
      m->wait_healthy();
  }
  ~etcd_cluster() {
    members_.clear(); // kills
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  etcd_cluster(const etcd_cluster&) = delete;
  etcd_cluster& operator=(const etcd_cluster&) = delete;

  etcd_member& member(std::size_t i) { return *members_.at(i); }
  std::size_t size() const { return members_.size(); }
  std::vector<std::string> client_urls() const {
    std::vector<std::string> out;
    for (auto& m : members_)
      out.push_back(m->client_url());
    return out;
  }
  std::string initial_cluster() const {
    std::string out;
    for (auto& m : members_)
      out += (out.empty() ? "" : ",") + m->name() + "=" + m->peer_url();
    return out;
  }

private:
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<etcd_member>> members_;
};

} // namespace coord::net::testing
