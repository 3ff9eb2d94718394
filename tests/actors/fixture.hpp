#pragma once
// CAF's deterministic test coordinator for actor tests: no threads, no sleeps. Messages are
// delivered by sched.run(); timeouts fire by sched.trigger_timeouts().

#include "actors/messages.hpp"
#include "actors/wall_clock.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace coord::test {

/// A connection that records what the actors do with it.
class fake_connection final : public ports::connection {
public:
  fake_connection(std::uint64_t id, ports::dialect d) : id_(id), dialect_(d) {}
  std::uint64_t id() const noexcept override { return id_; }
  ports::dialect dialect() const noexcept override { return dialect_; }
  void send(ports::buffer data, bool binary) override {
    if (!closed)
      sent.emplace_back(std::move(data), binary);
  }
  void close(std::uint16_t code, std::string reason) override {
    if (!closed)
      closed.emplace(code, std::move(reason));
  }
  std::size_t queued_bytes() const noexcept override { return 0; }
  const std::string& remote_address() const noexcept override { return remote_; }

  std::vector<std::pair<ports::buffer, bool>> sent;
  std::optional<std::pair<std::uint16_t, std::string>> closed;

private:
  std::uint64_t id_;
  ports::dialect dialect_;
  std::string remote_ = "127.0.0.1:1";
};

/// An actor system on the test coordinator.
/// An HTTP responder that records the one answer of a request.
class fake_responder final : public ports::http_responder {
public:
  void respond(ports::http_response r) override {
    if (!answer)
      answer = std::move(r);
  }
  std::optional<ports::http_response> answer;
};

struct actor_fixture {
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }
  actor_fixture()
    : sys(configure(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      self(sys) {}

  /// Stops every actor the test spawned through track(), so the system can shut down.
  ~actor_fixture() {
    for (auto& a : tracked)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Remembers `a` to be stopped at the end of the test.
  template <class Handle>
  Handle track(Handle a) {
    tracked.push_back(caf::actor_cast<caf::actor>(a));
    return a;
  }

  /// Sends `xs` to `dest` from `self`, runs the coordinator and returns the answer, a T.
  template <class T, class Handle, class... Ts>
  T ask(const Handle& dest, Ts&&... xs) {
    T out{};
    self->send(dest, std::forward<Ts>(xs)...);
    sched.run();
    self->receive([&](T& x) { out = std::move(x); });
    return out;
  }

  /// A wall clock for actors' deps that the coordinator's clock drives: `base_ms` plus the
  /// simulated time, so sched.advance_time() moves it too.
  actors::wall_clock test_wall_clock(std::int64_t base_ms = 1700000000000) {
    return [this, base_ms] {
      return base_ms
             + std::chrono::duration_cast<std::chrono::milliseconds>(
                 sched.clock().now().time_since_epoch())
                 .count();
    };
  }

  metrics::registry metrics; // outlives the actor system and every actor
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self;
  std::vector<caf::actor> tracked;
};

} // namespace coord::test
