#pragma once
// One HTTP connection: reads requests (keep-alive), answers the plain ones through
// server_hooks::on_http and hands websocket upgrades on a dialect path to a
// websocket_session (private header).

#include "net/shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>
#include <string>

namespace coord::net {

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<shared_state> state);

  /// Starts reading the first request.
  void run();

  /// Answers the current plain request (thread-safe: posted onto the connection's strand).
  void respond(http_response response);

private:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::system::error_code ec);
  void handle(request req);
  void write(unsigned status, std::string body, std::string content_type, bool keep_alive,
             bool upgrade_required = false);
  void on_write(bool keep_alive, boost::system::error_code ec);
  void do_close();
  void do_drain();

  std::shared_ptr<shared_state> state_; // first: owns the io_context the socket runs on
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string remote_;
  unsigned version_ = 11;   // of the request being answered
  bool keep_alive_ = false; // of the request being answered
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> res_;
};

} // namespace coord::net
