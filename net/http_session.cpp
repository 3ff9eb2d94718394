#include "net/http_session.hpp"

#include "net/endpoint.hpp"
#include "net/fail.hpp"
#include "net/websocket_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <atomic>

namespace coord::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* json = "application/json";

/// The dialect served on `target`'s path (query string ignored), if any.
std::optional<dialect> dialect_of(std::string_view target) {
  return ports::dialect_at(target.substr(0, target.find('?')));
}

bool is_http_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

/// Answers one request; the first respond() wins, dropping it unanswered answers 500.
class session_responder final : public http_responder {
public:
  explicit session_responder(std::shared_ptr<http_session> session)
    : session_(std::move(session)) {}

  ~session_responder() override {
    if (!answered_.exchange(true))
      session_->respond({500, R"({"error":"internal error"})", json});
  }

  void respond(http_response response) override {
    if (!answered_.exchange(true))
      session_->respond(std::move(response));
  }

private:
  std::shared_ptr<http_session> session_;
  std::atomic<bool> answered_{false};
};

} // namespace

http_session::http_session(tcp::socket&& socket, std::shared_ptr<shared_state> state)
  : state_(std::move(state)), stream_(std::move(socket)), remote_(remote_of(stream_.socket())) {
  // Small frames and answers go out at once rather than waiting on Nagle.
  boost::system::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
}

void http_session::run() { do_read(); }

void http_session::do_read() {
  // A fresh parser per request: the body limit applies to each one.
  parser_.emplace();
  parser_->body_limit(state_->options().max_body_bytes);
  // A request (the upgrade included) must arrive within the handshake timeout; this also
  // bounds how long an idle keep-alive connection is kept.
  stream_.expires_after(state_->options().handshake_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     self->on_read(ec);
                   });
}

void http_session::on_read(boost::system::error_code ec) {
  if (ec == http::error::end_of_stream)
    return do_close();
  if (ec == http::error::body_limit) {
    state_->metrics().http_requests.inc();
    version_ = parser_->is_header_done() ? parser_->get().version() : 11;
    return write(413, R"({"error":"body too large"})", json, false);
  }
  if (ec && is_http_error(ec) && ec != http::error::partial_message) {
    state_->metrics().http_requests.inc();
    version_ = 11;
    return write(400, R"({"error":"bad request"})", json, false);
  }
  if (ec)
    return fail(ec, "http read"); // timeout, reset: the socket closes with this session
  handle(parser_->release());
}

void http_session::handle(request req) {
  const auto d = dialect_of(req.target());
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  const std::string authorization(req[http::field::authorization]);

  if (d && beast::websocket::is_upgrade(req)) {
    // An upgrade Beast would refuse anyway (RFC 6455 §4.2.1) is answered here, before it
    // takes a session slot that a concurrent valid upgrade would then miss (503).
    if (req[http::field::sec_websocket_key].empty()
        || req[http::field::sec_websocket_version] != "13") {
      state_->metrics().http_requests.inc();
      return write(426, R"({"error":"websocket upgrade needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13"})",
                   json, false, true);
    }
    if (const auto& refuse = state_->hooks().refuse_upgrade) {
      if (auto body = refuse(); !body.empty()) {
        state_->metrics().http_requests.inc();
        return write(503, body, json, keep_alive_);
      }
    }
    if (!state_->try_reserve())
      return write(503, R"({"error":"too many sessions"})", json, keep_alive_);
    upgrade_request info{*d, std::string(req.target()), authorization, remote_};
    // The socket moves to the websocket session; this http_session ends here.
    stream_.expires_never();
    std::make_shared<websocket_session>(stream_.release_socket(), state_, *d, remote_)
      ->run(std::move(req), std::move(info));
    return;
  }

  state_->metrics().http_requests.inc();
  if (d)
    return write(426, R"({"error":"upgrade required"})", json, keep_alive_, true);
  if (!state_->hooks().on_http)
    return write(404, R"({"error":"not found"})", json, keep_alive_);

  spdlog::debug("net: http request method={} target={} remote={}",
                std::string(req.method_string()), std::string(req.target()), remote_);
  http_request plain{std::string(req.method_string()), std::string(req.target()),
                     authorization, std::move(req.body())};
  try {
    // The protocol side answers later, from any thread, through the responder.
    state_->hooks().on_http(std::move(plain),
                            std::make_shared<session_responder>(shared_from_this()));
  } catch (const std::exception& e) {
    // The responder, dropped unanswered, answers 500.
    spdlog::warn("net: on_http threw error=\"{}\"", e.what());
  }
}

void http_session::respond(http_response response) {
  if (state_->stopped())
    return;
  // Answers come from any thread: hop onto this connection's strand.
  asio::post(stream_.get_executor(),
             [self = shared_from_this(), response = std::move(response)]() mutable {
               self->write(response.status, std::move(response.body),
                           std::move(response.content_type), self->keep_alive_);
             });
}

void http_session::write(unsigned status, std::string body, std::string content_type,
                         bool keep_alive, bool upgrade_required) {
  res_ = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status),
                                                             version_);
  res_->set(http::field::server, "coordinator");
  // 204 carries no body, so no type either (the read API's DELETE).
  if (status != 204)
    res_->set(http::field::content_type, content_type);
  if (upgrade_required)
    res_->set(http::field::upgrade, "websocket");
  res_->keep_alive(keep_alive);
  res_->body() = std::move(body);
  res_->prepare_payload();
  // A client that does not take the answer within the handshake timeout is dropped.
  stream_.expires_after(state_->options().handshake_timeout);
  http::async_write(stream_, *res_,
                    [self = shared_from_this(), keep_alive](boost::system::error_code ec,
                                                            std::size_t) {
                      self->on_write(keep_alive, ec);
                    });
}

void http_session::on_write(bool keep_alive, boost::system::error_code ec) {
  res_.reset();
  if (ec)
    return fail(ec, "http write");
  if (!keep_alive)
    return do_close();
  // Keep-alive: wait for the next request.
  do_read();
}

void http_session::do_close() {
  // Send a TCP FIN, then read and discard until the client closes too: closing with unread
  // input would reset the connection and could destroy our answer before the client reads it.
  boost::system::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(state_->options().handshake_timeout);
  do_drain();
}

void http_session::do_drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            // Any error (EOF first of all) ends the connection: the socket
                            // closes with the last reference to this session.
                            if (!ec)
                              self->do_drain();
                          });
}

} // namespace coord::net
