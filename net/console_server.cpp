#include "net/console_server.hpp"

#include "net/console_session.hpp"
#include "net/fail.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace coord::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct console_server::impl {
  std::shared_ptr<console_core> core;
  std::optional<tcp::acceptor> acceptor; // io thread only once started
  std::thread thread;
  std::mutex mtx; // serialises start/stop
  bool started = false;
  bool stopped = false;
  std::uint16_t port = 0;

  void do_accept() {
    // Every connection runs on the one io thread: no strand per connection is needed.
    acceptor->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open())
        return; // stopped
      if (ec)
        fail(ec, "console accept"); // out of descriptors and the like: go on
      else
        std::make_shared<console_session>(std::move(socket), core)->run();
      do_accept();
    });
  }
};

console_server::console_server(console_options opts, console_hook hook)
  : impl_(std::make_unique<impl>()) {
  impl_->core = std::make_shared<console_core>(std::move(opts), std::move(hook));
}

console_server::~console_server() { stop(); }

void console_server::start() {
  std::lock_guard lock(impl_->mtx);
  if (impl_->started)
    return;
  auto& core = *impl_->core;
  const auto& host = core.opts.host;
  const auto port = core.opts.port;
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  if (auto address = asio::ip::make_address(host, ec); !ec) {
    endpoint = {address, port};
  } else {
    // A host name ("localhost"): start-up only, so a blocking resolve is fine.
    tcp::resolver resolver(core.ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec)
      cannot_listen(host, port, ec, " (console)");
    endpoint = results.begin()->endpoint();
  }
  auto& acceptor = impl_->acceptor.emplace(core.ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    cannot_listen(host, port, ec, " (console)");
  impl_->port = acceptor.local_endpoint().port();
  core.address = host + ":" + std::to_string(impl_->port);
  impl_->do_accept();
  impl_->thread = std::thread([core = impl_->core] {
    // A handler that throws must not take the io thread (and the process) down.
    for (;;) {
      try {
        core->ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("console: io handler threw error=\"{}\"", e.what());
      }
    }
  });
  impl_->started = true;
}

std::string console_server::local_address() const { return impl_->core->address; }

std::uint16_t console_server::local_port() const { return impl_->port; }

void console_server::stop() {
  std::lock_guard lock(impl_->mtx);
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  auto& core = *impl_->core;
  // From here on answers from other threads are dropped, nothing more is posted.
  core.stopped.store(true, std::memory_order_release);
  core.ioc.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
  // No io thread runs now: close the acceptor and every connection from here.
  if (impl_->acceptor) {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
  }
  std::vector<std::shared_ptr<console_session>> open;
  {
    std::lock_guard sessions_lock(core.mtx);
    for (auto& [ptr, weak] : core.sessions)
      if (auto s = weak.lock())
        open.push_back(std::move(s));
  }
  for (auto& s : open)
    s->abandon();
  open.clear();
  // Destroy the pending handlers (they hold sessions); the io_context object lives on in
  // the core until the last reply an actor still holds is gone.
  impl_->acceptor.reset();
  core.ioc.shutdown();
  core.hook = {};
}

} // namespace coord::net
