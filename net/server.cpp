#include "net/server.hpp"

#include "net/listener.hpp"
#include "net/shared_state.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace coord::net {

namespace asio = boost::asio;

struct server::impl {
  using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;

  // state first: destroyed last, it owns the io_context everything below uses.
  std::shared_ptr<shared_state> state;
  std::shared_ptr<listener> acceptor;
  std::optional<work_guard> work;
  std::optional<asio::steady_timer> grace_timer; // touched only on io threads after start
  std::vector<std::thread> threads;
  std::mutex mtx; // serialises start/stop
  bool started = false;
  bool stopped = false;
  std::uint16_t port = 0;

  void run_thread() {
    // A handler that throws must not take the io thread (and the process) down.
    for (;;) {
      try {
        state->ioc().run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("net: io handler threw error=\"{}\"", e.what());
      } catch (...) {
        spdlog::error("net: io handler threw a non-standard exception");
      }
    }
  }
};

server::server(server_options opts, server_hooks hooks, metrics::registry& metrics)
  : impl_(std::make_unique<impl>()) {
  impl_->state = std::make_shared<shared_state>(std::move(opts), std::move(hooks), metrics);
}

server::~server() { stop(); }

void server::start() {
  std::lock_guard lock(impl_->mtx);
  if (impl_->started)
    return;
  const auto& opts = impl_->state->options();
  // Throws with a one-line message when the address cannot be bound.
  impl_->acceptor = std::make_shared<listener>(impl_->state, opts.host, opts.port);
  impl_->port = impl_->acceptor->local_port();
  impl_->grace_timer.emplace(impl_->state->ioc());
  impl_->acceptor->run();
  // Keep the io threads alive when nothing is pending (after shutdown, say).
  impl_->work.emplace(impl_->state->ioc().get_executor());
  const unsigned n = opts.io_threads == 0 ? 1 : opts.io_threads;
  for (unsigned i = 0; i < n; ++i)
    impl_->threads.emplace_back([this] { impl_->run_thread(); });
  impl_->started = true;
  spdlog::debug("net: listening address={} io_threads={}", local_address(), n);
}

std::string server::local_address() const {
  return impl_->state->options().host + ":" + std::to_string(impl_->port);
}

std::uint16_t server::local_port() const { return impl_->port; }

std::size_t server::session_count() const { return impl_->state->session_count(); }

void server::shutdown(std::uint16_t code, std::string reason, std::chrono::milliseconds grace,
                      std::function<void()> done) {
  {
    std::unique_lock lock(impl_->mtx);
    if (!impl_->started || impl_->stopped) {
      lock.unlock();
      // Nothing runs: there is nothing to wait for.
      if (done)
        done();
      return;
    }
    spdlog::debug("net: shutdown code={} sessions={}", code, session_count());
    impl_->acceptor->stop();
    // Whichever comes first: every session ended (shared_state fires done) or grace passed.
    asio::post(impl_->state->ioc(), [state = impl_->state, timer = &*impl_->grace_timer, grace] {
      timer->expires_after(grace);
      timer->async_wait([state](boost::system::error_code ec) {
        if (!ec)
          state->fire_done();
      });
    });
  }
  impl_->state->shutdown({code, std::move(reason)}, std::move(done));
}

void server::stop() {
  std::lock_guard lock(impl_->mtx);
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  auto& state = *impl_->state;
  // From here on send/close/respond from other threads are no-ops.
  state.mark_stopped();
  impl_->work.reset();
  state.ioc().stop();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
  // No io thread runs now: end the sessions still open here, so every sink hears on_closed.
  for (auto& s : state.sessions())
    s->abandon();
  state.fire_done(true);
  // Destroy the pending handlers: they hold sessions and sessions hold the shared state. The
  // io_context object itself lives on until the last session the protocol side holds is gone.
  impl_->grace_timer.reset();
  impl_->acceptor.reset();
  state.ioc().shutdown();
  // Sessions the protocol side still holds keep this state alive: let go of what the hooks
  // captured so no reference cycle outlives the server.
  state.clear_hooks();
}

} // namespace coord::net
