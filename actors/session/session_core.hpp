#pragma once
// The skeleton the three session dialects share (SPEC.md §2): close once with a proto/ close
// code, the rate limit, text frames only, pongs, the console's common fields and the teardown
// when net/ reports the connection gone. Each dialect keeps its protocol and its states: CAF
// behaviours it switches with become(), built from these shared handlers and its own.

#include "actors/console/summary.hpp"
#include "actors/session/messages.hpp"
#include "actors/session/rate_limiter.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace coord::actors {

/// The state a session is in, as the console names it. Every dialect has these three (the
/// companion's "identified" is its handshake); which behaviour serves each is the dialect's.
enum class session_phase : std::uint8_t { connected, identified, closing };

/// "connected", "identified" or "closing".
const char* to_string(session_phase p) noexcept;

/// A close code of proto::close and the reason for the close frame.
struct close_reason {
  std::uint16_t code = 0;
  std::string reason;
};

/// What every session keeps of its connection, whatever its dialect.
class session_core {
public:
  session_core() = default;

  session_core(connection_ptr conn, ports::dialect d, std::uint32_t messages_per_minute,
               metrics::registry* metrics, caf::actor_clock::time_point opened);

  const connection_ptr& conn() const noexcept { return conn_; }

  /// The connection's id.
  std::uint64_t id() const noexcept { return conn_->id(); }

  session_phase phase() const noexcept { return phase_; }

  /// Records the state a become() switches to (enter() does both).
  void set_phase(session_phase p) noexcept { phase_ = p; }

  /// The checks every frame passes before its dialect opens it, in SPEC.md §2's order: the
  /// rate limit (4008), then text only (4004 with `binary_reason`). nullopt: open it;
  /// otherwise the close the dialect makes.
  std::optional<close_reason> admit(caf::actor_clock::time_point now, bool binary,
                                    const char* binary_reason);

  /// Closes the connection with `code` once and enters the closing phase: counts a 4007 or
  /// 4008 in the dialect's metric, runs `before` (what the dialect tells others first), then
  /// asks net/ to close. False when the session was closing already (nothing happens).
  template <class Before>
  bool close(std::uint16_t code, std::string reason, Before&& before) {
    if (phase_ == session_phase::closing)
      return false;
    phase_ = session_phase::closing;
    count_close(code);
    before();
    conn_->close(code, std::move(reason));
    return true;
  }

  bool close(std::uint16_t code, std::string reason) {
    return close(code, std::move(reason), [] {});
  }

  /// A pong arrived (the companion dialect's heartbeat).
  void on_pong(caf::actor_clock::time_point now) noexcept { last_pong_ = now; }

  /// "age_ms": milliseconds since the session opened.
  std::string age_ms(caf::actor_clock::time_point now) const;

  /// "last_heartbeat_ms_ago": milliseconds since the last pong, "never" without one.
  std::string last_pong_ms_ago(caf::actor_clock::time_point now) const;

private:
  void count_close(std::uint16_t code);

  connection_ptr conn_;
  ports::dialect dialect_ = ports::dialect::companion;
  rate_limiter limiter_;
  metrics::registry* metrics_ = nullptr;
  session_phase phase_ = session_phase::connected;
  caf::actor_clock::time_point opened_; ///< actor clock at spawn
  std::optional<caf::actor_clock::time_point> last_pong_; ///< actor clock; nullopt: none yet
};

/// Switches `self` (whose state has a `core`) to `bhvr`, the behaviour of phase `p`.
template <class Self, class Behavior>
void enter(Self* self, session_phase p, Behavior bhvr) {
  self->state.core.set_phase(p);
  self->become(std::move(bhvr));
}

/// The handlers every state of every dialect shares: pong (recorded, then `on_pong(self)`),
/// inspect (the console gets `fields(self)`) and closed (`teardown(self, code)`, then the actor
/// quits).
template <class Self, class Fields, class Teardown, class OnPong>
auto shared_handlers(Self* self, Fields fields, Teardown teardown, OnPong on_pong) {
  return std::make_tuple(
    [self, on_pong](pong_atom) {
      self->state.core.on_pong(self->clock().now());
      on_pong(self);
    },
    [self, fields](inspect_atom) { return summarize(self, fields(self)); },
    [self, teardown](closed_atom, std::uint16_t code) {
      teardown(self, code);
      self->quit();
    });
}

template <class Self, class Fields, class Teardown>
auto shared_handlers(Self* self, Fields fields, Teardown teardown) {
  return shared_handlers(self, std::move(fields), std::move(teardown), [](Self*) {});
}

/// A typed behaviour of the handlers in `shared` (a tuple) and `fs`: one state of a dialect.
template <class Behavior, class Shared, class... Fs>
Behavior compose(const Shared& shared, Fs... fs) {
  return std::apply([&](const auto&... hs) { return Behavior{hs..., std::move(fs)...}; },
                    shared);
}

} // namespace coord::actors
