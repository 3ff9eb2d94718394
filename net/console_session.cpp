#include "net/console_session.hpp"

#include "net/endpoint.hpp"
#include "net/fail.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace coord::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t") == std::string::npos;
}

/// The console_reply of one line; the first answer wins, dropping it unanswered answers
/// "ERR internal error".
class session_reply final : public console_reply {
public:
  explicit session_reply(std::shared_ptr<console_session> s) : session_(std::move(s)) {}
  ~session_reply() override {
    if (!answered_.exchange(true))
      session_->deliver("ERR internal error", false);
  }
  void answer(std::string text) override {
    if (!answered_.exchange(true))
      session_->deliver(std::move(text), false);
  }
  void answer_and_close(std::string text) override {
    if (!answered_.exchange(true))
      session_->deliver(std::move(text), true);
  }
  bool authenticated() const noexcept override {
    return session_->authenticated.load(std::memory_order_acquire);
  }
  void set_authenticated() noexcept override {
    session_->authenticated.store(true, std::memory_order_release);
  }
  const std::string& remote_address() const noexcept override { return session_->remote(); }
  const std::string& listener_address() const noexcept override {
    return session_->listener();
  }

private:
  std::shared_ptr<console_session> session_;
  std::atomic<bool> answered_{false};
};

} // namespace

std::string frame_console_answer(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(pos, end - pos);
    line.erase(std::remove(line.begin(), line.end(), '\r'), line.end());
    if (!line.empty())
      out.append(line).push_back('\n');
    pos = end + 1;
  }
  out.push_back('\n');
  return out;
}

console_session::console_session(tcp::socket socket, std::shared_ptr<console_core> core)
  : core_(std::move(core)), socket_(std::move(socket)), timer_(core_->ioc),
    remote_(remote_of(socket_)) {}

console_session::~console_session() {
  std::lock_guard lock(core_->mtx);
  core_->sessions.erase(this);
}

void console_session::run() {
  std::size_t open = 0;
  {
    std::lock_guard lock(core_->mtx);
    open = core_->sessions.size();
    core_->sessions.emplace(this, weak_from_this());
  }
  spdlog::debug("console: connected remote={}", remote_);
  if (open >= core_->opts.max_connections)
    return write("ERR too many console connections", true);
  next();
}

void console_session::deliver(std::string text, bool close_after) {
  if (core_->stopped.load(std::memory_order_acquire))
    return;
  // Answers come from actor threads: hop onto the io thread.
  asio::post(core_->ioc, [self = shared_from_this(), text = std::move(text), close_after] {
    self->write(text, close_after);
  });
}

void console_session::abandon() {
  boost::system::error_code ec;
  timer_.cancel();
  socket_.close(ec);
}

void console_session::next() {
  const std::size_t max = core_->opts.max_line_bytes;
  for (;;) {
    const auto nl = in_.find('\n');
    if (nl == std::string::npos) {
      // One byte of slack for the '\r' of a "\r\n" line end.
      if (in_.size() > max + 1)
        return write("ERR line too long", true);
      return do_read();
    }
    std::string line = in_.substr(0, nl);
    in_.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.size() > max)
      return write("ERR line too long", true);
    if (is_blank(line))
      continue;
    try {
      // Nothing more is read until this line's answer is written.
      core_->hook(std::move(line), std::make_shared<session_reply>(shared_from_this()));
    } catch (const std::exception& e) {
      // The reply, dropped unanswered, answers "ERR internal error".
      spdlog::warn("console: hook threw error=\"{}\"", e.what());
    }
    return;
  }
}

void console_session::do_read() {
  // Wait for more of the next line.
  socket_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](boost::system::error_code ec,
                                                      std::size_t n) {
                            if (ec)
                              return fail(ec, "console read"); // peer gone: we end here
                            self->in_.append(self->chunk_.data(), n);
                            self->next();
                          });
}

void console_session::write(const std::string& text, bool close_after) {
  out_ = frame_console_answer(text);
  // One answer at a time: the next line is only handed over once this write is done.
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this(), close_after](boost::system::error_code ec,
                                                             std::size_t) {
                      if (ec)
                        return fail(ec, "console write"); // the client left mid-answer
                      if (close_after)
                        return self->do_close();
                      self->next();
                    });
}

void console_session::do_close() {
  // FIN first, then read and discard until the client closes too (at most 2 s): closing
  // with unread input would reset the connection and could destroy the answer unread.
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  timer_.expires_after(std::chrono::seconds(2));
  timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
    if (!wait_ec) {
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    }
  });
  do_drain();
}

void console_session::do_drain() {
  // Discard what the client still sends until it closes.
  socket_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](boost::system::error_code ec,
                                                      std::size_t) {
                            if (!ec)
                              return self->do_drain();
                            self->timer_.cancel();
                          });
}

} // namespace coord::net
