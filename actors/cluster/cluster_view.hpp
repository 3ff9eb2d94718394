#pragma once
// What every thread may ask about this node's role in a cluster (SPEC.md §9): may it serve,
// and where is the active node. The cluster actor writes it; net/'s upgrade check and the
// HTTP actor read it. A single node (no cluster.etcd) always serves.
//
// An active node serves only while its lease is surely alive: `serve_until` is the send time
// of its last renewed keepalive plus lease_ttl_s/2, so a node frozen past its lease (SIGSTOP)
// stops serving the moment it runs again, before its cluster actor notices and fences.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace coord::actors {

class cluster_view {
public:
  using clock = std::chrono::steady_clock;
  enum class role : std::uint8_t { single, standby, active };

  explicit cluster_view(bool clustered = false)
    : role_(clustered ? role::standby : role::single) {}

  role current() const noexcept { return role_.load(std::memory_order_acquire); }
  bool clustered() const noexcept { return current() != role::single; }

  /// True when this node may accept sessions and requests at `now`: an actor passes its
  /// clock's time (`self->clock().now()`), a net/ thread `clock::now()`; in production both
  /// are the same steady clock, the one the cluster actor computes `serve_until` with.
  bool serving(clock::time_point now) const noexcept {
    auto r = current();
    if (r == role::single)
      return true;
    return r == role::active
           && now.time_since_epoch().count() < serve_until_.load(std::memory_order_acquire);
  }

  void set_active(clock::time_point serve_until) {
    serve_until_.store(serve_until.time_since_epoch().count(), std::memory_order_release);
    role_.store(role::active, std::memory_order_release);
  }
  void extend(clock::time_point serve_until) {
    serve_until_.store(serve_until.time_since_epoch().count(), std::memory_order_release);
  }
  void set_standby() {
    role_.store(role::standby, std::memory_order_release);
    serve_until_.store(0, std::memory_order_release);
  }
  void set_active_url(std::string url) {
    std::lock_guard<std::mutex> guard{mtx_};
    active_url_ = std::move(url);
  }
  std::string active_url() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return active_url_;
  }

  /// The body of every 503 a standby answers: {"status":"standby","active":<url>|null}.
  std::string standby_body() const;

private:
  std::atomic<role> role_;
  std::atomic<clock::rep> serve_until_{0};
  mutable std::mutex mtx_;
  std::string active_url_;
};

} // namespace coord::actors
