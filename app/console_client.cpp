#include "app/console_client.hpp"

#include <editline/readline.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <netdb.h>
#include <optional>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace coord::app {

namespace {

constexpr int connect_timeout_ms = 5000;
constexpr int answer_timeout_ms = 30000;

struct client_options {
  std::string host = "127.0.0.1";
  std::string port = "7701";
  std::optional<std::string> command;
  std::string password; ///< sent as `auth <password>` first when set
};

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: coordinator console [--host H] [--port P] [--password PW] [-c COMMAND]\n"
               "  --host H        console address (default 127.0.0.1)\n"
               "  --port P        console port (default 7701)\n"
               "  --password PW   send `auth PW` first (default: $COORDINATOR_CONSOLE_PASSWORD)\n"
               "  -c COMMAND      send one command, print its answer and exit\n"
               "Without -c: an interactive prompt on a terminal, else one command per line of\n"
               "stdin, each answer followed by an empty line. Type `help` for the commands.\n");
}

/// Parses `--name value` and `--name=value`; returns 2 on a bad option, -1 to go on.
int parse(int argc, char** argv, client_options& out) {
  if (const char* pw = std::getenv("COORDINATOR_CONSOLE_PASSWORD"))
    out.password = pw;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    }
    std::string_view name = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    }
    if (name != "--host" && name != "--port" && name != "--password" && name != "-c") {
      std::fprintf(stderr, "coordinator console: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
    if (!value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "coordinator console: %s needs a value\n", argv[i]);
        return 2;
      }
      value = argv[++i];
    }
    if (name == "--host")
      out.host = *value;
    else if (name == "--port")
      out.port = *value;
    else if (name == "--password")
      out.password = *value;
    else
      out.command = *value;
  }
  return -1;
}

/// One connection to the console: send a line, read its answer (up to the empty line).
class console_connection {
public:
  ~console_connection() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  /// Connects within 5 s; on failure returns the reason.
  std::optional<std::string> connect(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
      return std::string(::gai_strerror(rc));
    std::string why = "no address";
    for (auto* ai = found; ai; ai = ai->ai_next) {
      int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol);
      if (fd < 0) {
        why = std::strerror(errno);
        continue;
      }
      int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = ::poll(&p, 1, connect_timeout_ms);
        int err = rc == 0 ? ETIMEDOUT : 0;
        socklen_t len = sizeof err;
        if (rc > 0)
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        errno = err;
        rc = err == 0 ? 0 : -1;
      }
      if (rc == 0) {
        // Back to blocking: reads below wait with poll, writes are small.
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        fd_ = fd;
        ::freeaddrinfo(found);
        return std::nullopt;
      }
      why = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(found);
    return why;
  }

  bool send_line(const std::string& line) {
    std::string data = line + "\n";
    std::size_t off = 0;
    while (off < data.size()) {
      auto n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// The next answer without its terminating empty line; nullopt when the connection ended
  /// (or nothing came for 30 s) before a whole answer.
  std::optional<std::string> read_answer() {
    std::string answer;
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r')
          line.pop_back();
        if (line.empty())
          return answer;
        answer += line + "\n";
        continue;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, answer_timeout_ms) <= 0)
        return std::nullopt;
      char chunk[4096];
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0)
        return answer.empty() ? std::nullopt : std::optional<std::string>(answer);
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

private:
  int fd_ = -1;
  std::string buf_;
};

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

bool is_quit(const std::string& s) {
  auto start = s.find_first_not_of(" \t");
  auto word = s.substr(start == std::string::npos ? s.size() : start);
  while (!word.empty() && (word.back() == ' ' || word.back() == '\t' || word.back() == '\r'))
    word.pop_back();
  return word == "quit" || word == "QUIT";
}

int lost() {
  std::fprintf(stderr, "coordinator console: connection closed by the node\n");
  return 1;
}

/// Sends `line` and prints its answer; false when the connection is gone.
bool exchange(console_connection& c, const std::string& line, bool separator) {
  if (!c.send_line(line))
    return false;
  auto answer = c.read_answer();
  if (!answer)
    return false;
  std::fputs(answer->c_str(), stdout);
  if (separator)
    std::fputs("\n", stdout);
  std::fflush(stdout);
  return true;
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.coordinator_console_history" : std::string{};
}

int interactive(console_connection& c, const client_options& opts) {
  const std::string prompt = opts.host + ":" + opts.port + "> ";
  const auto history = history_path();
  using_history();
  if (!history.empty())
    read_history(history.c_str());
  int rc = 0;
  for (;;) {
    char* raw = readline(prompt.c_str());
    if (!raw)
      break; // Ctrl-D
    std::string line{raw};
    std::free(raw);
    if (is_blank(line))
      continue;
    add_history(line.c_str());
    if (!exchange(c, line, false)) {
      rc = lost();
      break;
    }
    if (is_quit(line))
      break;
  }
  if (!history.empty())
    write_history(history.c_str());
  return rc;
}

int piped(console_connection& c) {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (is_blank(line))
      continue;
    if (!exchange(c, line, true))
      return lost();
    if (is_quit(line))
      break;
  }
  return 0;
}

} // namespace

int run_console_client(int argc, char** argv) {
  client_options opts;
  if (int rc = parse(argc, argv, opts); rc >= 0)
    return rc;
  console_connection c;
  if (auto why = c.connect(opts.host, opts.port)) {
    std::fprintf(stderr, "coordinator console: cannot connect to %s:%s: %s\n", opts.host.c_str(),
                 opts.port.c_str(), why->c_str());
    return 1;
  }
  if (!opts.password.empty()) {
    if (!c.send_line("auth " + opts.password))
      return lost();
    auto answer = c.read_answer();
    if (!answer)
      return lost();
    if (answer->rfind("ERR", 0) == 0) {
      std::fprintf(stderr, "coordinator console: %s", answer->c_str());
      return 1;
    }
  }
  if (opts.command)
    return exchange(c, *opts.command, false) ? 0 : lost();
  if (::isatty(STDIN_FILENO))
    return interactive(c, opts);
  return piped(c);
}

} // namespace coord::app
