#pragma once
// A blocking line client of the debug console for the tests (plain POSIX sockets,
// header-only).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace coord::test {

/// One console answer: the raw bytes up to and including the empty line, and its lines.
struct console_answer {
  std::string raw;
  std::vector<std::string> lines; ///< without the terminating empty line

  std::string text() const {
    std::string out;
    for (const auto& l : lines)
      out += l + "\n";
    return out;
  }
  bool starts_with(const std::string& prefix) const {
    return !lines.empty() && lines[0].rfind(prefix, 0) == 0;
  }
};

class line_client {
public:
  /// Connects to 127.0.0.1:port; throws std::runtime_error when it cannot.
  explicit line_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot connect to the console on port " + std::to_string(port));
  }
  ~line_client() { close(); }
  line_client(const line_client&) = delete;
  line_client& operator=(const line_client&) = delete;

  /// Writes `data` as is.
  void write(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      auto n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        throw std::runtime_error("console connection lost while writing");
      off += static_cast<std::size_t>(n);
    }
  }

  /// The next answer, or nullopt when the connection ended or `timeout` passed first.
  std::optional<console_answer> read_answer(
    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    console_answer a;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        auto line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        a.raw += line + "\n";
        if (line.empty())
          return a;
        a.lines.push_back(std::move(line));
        continue;
      }
      if (!fill(deadline))
        return std::nullopt;
    }
  }

  /// Sends one command line and reads its answer; fails (throws) when none comes.
  console_answer command(const std::string& line) {
    write(line + "\n");
    auto a = read_answer();
    if (!a)
      throw std::runtime_error("no answer to '" + line + "'");
    return *a;
  }

  /// True when the server closes the connection within `timeout` (bytes before are dropped).
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline))
      buf_.clear();
    return eof_;
  }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  /// Reads more into buf_; false on EOF, error or deadline.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char chunk[4096];
    auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

} // namespace coord::test
