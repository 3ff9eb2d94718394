#include "net/shared_state.hpp"

#include <boost/asio/post.hpp>

namespace coord::net {

namespace asio = boost::asio;

shared_state::shared_state(server_options opts, server_hooks hooks, metrics::registry& metrics)
  : ioc_(static_cast<int>(opts.io_threads == 0 ? 1 : opts.io_threads)),
    opts_(std::move(opts)),
    hooks_(std::move(hooks)),
    metrics_(metrics) {}

bool shared_state::try_reserve() noexcept {
  std::size_t cur = count_.load(std::memory_order_relaxed);
  do {
    if (cur >= opts_.max_sessions)
      return false;
  } while (!count_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel));
  // Checked after taking the slot so a shutdown racing with us either sees this slot or
  // makes us give it back.
  std::lock_guard lock(mtx_);
  if (shutdown_) {
    count_.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  return true;
}

void shared_state::release() noexcept {
  if (count_.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  bool shutting_down = false;
  {
    std::lock_guard lock(mtx_);
    shutting_down = shutdown_.has_value();
  }
  if (shutting_down)
    fire_done();
}

std::optional<shutdown_close> shared_state::join(std::uint64_t id, std::weak_ptr<live_session> s) {
  std::lock_guard lock(mtx_);
  sessions_.emplace(id, std::move(s));
  return shutdown_;
}

void shared_state::leave(std::uint64_t id) {
  std::lock_guard lock(mtx_);
  sessions_.erase(id);
}

void shared_state::shutdown(shutdown_close how, std::function<void()> done) {
  if (stopped()) {
    if (done)
      done();
    return;
  }
  std::vector<std::shared_ptr<live_session>> live;
  {
    std::lock_guard lock(mtx_);
    if (done)
      done_.push_back(std::move(done));
    if (!shutdown_)
      shutdown_ = how;
    for (auto& [id, weak] : sessions_)
      if (auto s = weak.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->close(how.code, how.reason);
  if (session_count() == 0)
    fire_done();
}

void shared_state::fire_done(bool inline_call) {
  std::vector<std::function<void()>> done;
  {
    std::lock_guard lock(mtx_);
    done.swap(done_);
  }
  for (auto& f : done) {
    if (inline_call)
      f();
    else
      asio::post(ioc_, std::move(f));
  }
}

std::vector<std::shared_ptr<live_session>> shared_state::sessions() const {
  std::vector<std::shared_ptr<live_session>> live;
  std::lock_guard lock(mtx_);
  live.reserve(sessions_.size());
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock())
      live.push_back(std::move(s));
  return live;
}

} // namespace coord::net
