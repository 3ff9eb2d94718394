#include "net/etcd_client.hpp"

#include "net/etcd_ops.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace coord::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace etcd_detail {

namespace {

[[noreturn]] void bad_endpoint(const std::string& url, const char* why) {
  throw std::invalid_argument("etcd endpoint \"" + url + "\": " + why);
}

} // namespace

endpoint_url parse_endpoint(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind("https://", 0) == 0)
    bad_endpoint(url, "https is not supported (only http://host:port)");
  if (url.rfind(scheme, 0) != 0)
    bad_endpoint(url, "expected http://host:port");
  std::string_view rest(url);
  rest.remove_prefix(scheme.size());
  if (!rest.empty() && rest.back() == '/')
    rest.remove_suffix(1);
  std::string_view host;
  std::string_view port;
  const bool bracketed = !rest.empty() && rest.front() == '[';
  if (bracketed) { // [v6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      bad_endpoint(url, "expected http://[address]:port");
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos)
      bad_endpoint(url, "expected http://host:port (the port is missing)");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty() ||
      host.find_first_of(bracketed ? "/?#@ []" : "/?#@: []") != std::string_view::npos)
    bad_endpoint(url, "expected http://host:port (bad host)");
  unsigned long value = 0;
  if (port.empty() || port.size() > 5)
    bad_endpoint(url, "expected http://host:port (bad port)");
  for (const char c : port) {
    if (c < '0' || c > '9')
      bad_endpoint(url, "expected http://host:port (bad port)");
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value == 0 || value > 65535)
    bad_endpoint(url, "expected http://host:port (port out of range)");
  return endpoint_url{url, std::string(host), std::string(port)};
}

void core::run() {
  // Our handlers do not throw (callbacks are guarded); a throw from Asio itself is logged and
  // the loop goes on, so the client never silently stops serving.
  for (;;) {
    try {
      ioc.run();
      break;
    } catch (const std::exception& e) {
      spdlog::warn("etcd: io thread caught error=\"{}\"", e.what());
    }
  }
  // Destroyed from one of its own callbacks: this thread owns the last reference.
  auto keep = std::move(keep_alive);
}

namespace {

/// An answer bigger than this is a broken peer, not a range we asked for.
constexpr std::uint64_t max_answer_bytes = 64u << 20;

/// The first line of `text`, at most 200 bytes (error texts are one line).
std::string first_line(std::string_view text) {
  text = text.substr(0, text.find_first_of("\r\n"));
  return std::string(text.substr(0, 200));
}

} // namespace

call_op::call_op(core& c, std::string path, std::string body,
                 std::function<void(etcd_reply)> done, std::chrono::milliseconds timeout)
  : core_(c), path_(std::move(path)), body_(std::move(body)), done_(std::move(done)),
    timeout_(timeout), resolver_(c.ioc), socket_(c.ioc), timer_(c.ioc) {}

void call_op::start() {
  next_ = core_.preferred % core_.endpoints.size();
  attempt();
}

void call_op::attempt() {
  if (tried_ == core_.endpoints.size()) {
    etcd_reply reply;
    reply.error = errors_;
    reply.endpoint = core_.endpoints[current_].url;
    spdlog::debug("etcd: call path={} failed error=\"{}\"", path_, errors_);
    return finish(std::move(reply));
  }
  ++tried_;
  current_ = next_;
  next_ = (next_ + 1) % core_.endpoints.size();
  const auto& ep = core_.endpoints[current_];
  const auto id = ++attempt_id_;
  timed_out_ = false;
  error_code ignored;
  socket_.close(ignored);
  buffer_.clear();
  parser_.emplace();
  parser_->body_limit(max_answer_bytes);
  req_ = {http::verb::post, path_, 11};
  req_.set(http::field::host, ep.host + ":" + ep.port);
  req_.set(http::field::content_type, "application/json");
  req_.keep_alive(false);
  req_.body() = body_;
  req_.prepare_payload();
  // One deadline for resolve + connect + write + read on this endpoint: closing the socket
  // makes whichever step is pending fail, and that step moves on to the next endpoint.
  if (timeout_.count() >= 0) {
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this(), id](error_code ec) {
      if (ec || id != self->attempt_id_)
        return;
      self->timed_out_ = true;
      self->resolver_.cancel();
      error_code ignore;
      self->socket_.close(ignore);
    });
  }
  // Resolve first: an endpoint may name a host, not an address.
  resolver_.async_resolve(
    ep.host, ep.port,
    [self = shared_from_this()](error_code ec, const tcp::resolver::results_type& results) {
      if (ec || self->timed_out_)
        return self->attempt_failed(ec, "resolve");
      // Connect to the first address that takes it.
      asio::async_connect(self->socket_, results, [self](error_code ec, const tcp::endpoint&) {
        if (ec)
          return self->attempt_failed(ec, "connect");
        self->on_connected();
      });
    });
}

void call_op::on_connected() {
  // The whole request, then the whole answer (etcd closes after it: keep_alive false).
  http::async_write(socket_, req_, [self = shared_from_this()](error_code ec, std::size_t) {
    if (ec)
      return self->attempt_failed(ec, "write");
    http::async_read(self->socket_, self->buffer_, *self->parser_,
                     [self](error_code ec, std::size_t) {
                       // An answer that made it just as the deadline hit still counts.
                       if (ec)
                         return self->attempt_failed(ec, "read");
                       self->on_answer();
                     });
  });
}

void call_op::on_answer() {
  auto res = parser_->release();
  etcd_reply reply;
  reply.status = res.result_int();
  reply.ok = reply.status == 200;
  reply.body = std::move(res.body());
  reply.endpoint = core_.endpoints[current_].url;
  if (reply.ok)
    core_.preferred = current_;
  else
    reply.error = "HTTP " + std::to_string(reply.status) + " " + first_line(reply.body);
  if (!reply.ok)
    spdlog::debug("etcd: call path={} endpoint={} status={}", path_, reply.endpoint,
                  reply.status);
  finish(std::move(reply));
}

void call_op::attempt_failed(const error_code& ec, const char* what) {
  const auto& url = core_.endpoints[current_].url;
  const std::string why = timed_out_ ? std::string("timeout")
                                     : std::string(what) + ": " + ec.message();
  spdlog::debug("etcd: call path={} endpoint={} failed error=\"{}\"", path_, url, why);
  if (!errors_.empty())
    errors_ += "; ";
  errors_ += url + " " + why;
  attempt();
}

void call_op::finish(etcd_reply reply) {
  ++attempt_id_; // a timer already queued finds nothing to do
  timer_.cancel();
  error_code ignored;
  socket_.close(ignored);
  auto done = std::move(done_);
  done_ = nullptr;
  if (!done)
    return;
  try {
    done(std::move(reply));
  } catch (const std::exception& e) {
    spdlog::warn("etcd: call path={} callback threw error=\"{}\"", path_, e.what());
  } catch (...) {
    spdlog::warn("etcd: call path={} callback threw", path_);
  }
}

} // namespace etcd_detail

struct etcd_client::impl : etcd_detail::core {
  using core::core;
};

etcd_client::etcd_client(etcd_options opts) : opts_(std::move(opts)) {
  if (opts_.endpoints.empty())
    throw std::invalid_argument("etcd: no endpoint given");
  std::vector<etcd_detail::endpoint_url> parsed;
  for (const auto& url : opts_.endpoints)
    parsed.push_back(etcd_detail::parse_endpoint(url));
  impl_ = std::make_shared<impl>(std::move(parsed), opts_.request_timeout, opts_.watch_retry);
  impl_->thread = std::thread([core = impl_.get()] { core->run(); });
}

etcd_client::~etcd_client() {
  // Handlers still queued never run (no callback after this returns); the sockets they own
  // close when the io_context is destroyed with the impl.
  impl_->work.reset();
  impl_->ioc.stop();
  if (impl_->thread.get_id() == std::this_thread::get_id()) {
    // Destroyed from its own callback: joining would deadlock; the thread finishes the
    // callback, leaves run() and drops the last reference itself.
    impl_->keep_alive = impl_;
    impl_->thread.detach();
  } else {
    impl_->thread.join();
  }
}

void etcd_client::call(std::string path, std::string body, std::function<void(etcd_reply)> done,
                       std::chrono::milliseconds timeout) {
  if (timeout.count() == 0)
    timeout = opts_.request_timeout;
  auto* core = impl_.get();
  // The operation is built on the io thread: Asio objects are only touched there.
  asio::post(core->ioc, [core, path = std::move(path), body = std::move(body),
                         done = std::move(done), timeout]() mutable {
    std::make_shared<etcd_detail::call_op>(*core, std::move(path), std::move(body),
                                           std::move(done), timeout)
      ->start();
  });
}

std::shared_ptr<etcd_watch> etcd_client::watch(std::string key, std::string range_end,
                                               std::int64_t start_revision,
                                               etcd_watch_callbacks cb) {
  auto st = std::make_shared<etcd_detail::watch_state>();
  st->key = std::move(key);
  st->range_end = std::move(range_end);
  st->cb = std::move(cb);
  st->next_rev = start_revision > 0 ? start_revision : 0;
  auto* core = impl_.get();
  asio::post(core->ioc, [core, st] {
    if (st->cancelled)
      return;
    auto op = std::make_shared<etcd_detail::watch_op>(*core, st);
    st->op = op;
    op->start();
  });
  return std::make_shared<etcd_detail::watch_handle>(
    std::weak_ptr<etcd_detail::core>(impl_), std::move(st));
}

} // namespace coord::net
