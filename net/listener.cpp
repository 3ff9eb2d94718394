#include "net/listener.hpp"

#include "net/fail.hpp"
#include "net/http_session.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace coord::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint resolve(asio::io_context& ioc, const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec)
    return {address, port};
  // A host name ("localhost"): start-up only, so a blocking resolve is fine.
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec)
    cannot_listen(host, port, ec);
  return results.begin()->endpoint();
}

} // namespace

listener::listener(std::shared_ptr<shared_state> state, const std::string& host,
                   std::uint16_t port)
  : state_(std::move(state)),
    acceptor_(asio::make_strand(state_->ioc())),
    retry_timer_(acceptor_.get_executor()) {
  const auto endpoint = resolve(state_->ioc(), host, port);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    cannot_listen(host, port, ec);
  port_ = acceptor_.local_endpoint().port();
}

void listener::run() { do_accept(); }

void listener::stop() {
  // The acceptor lives on its strand: close it there.
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void listener::do_accept() {
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(state_->ioc()),
                         [self = shared_from_this()](boost::system::error_code ec,
                                                     tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open())
    return; // stopped
  if (ec) {
    // Out of descriptors and the like: retrying at once would spin; retry shortly.
    fail(ec, "accept");
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open())
        self->do_accept();
    });
    return;
  }
  std::make_shared<http_session>(std::move(socket), state_)->run();
  // Keep accepting.
  do_accept();
}

} // namespace coord::net
