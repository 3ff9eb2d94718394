#include "actors/companion/companion_session.hpp"

#include "actors/session/session_sink.hpp"
#include "proto/companion_codec.hpp"
#include "proto/errors.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <type_traits>
#include <variant>

namespace coord::actors {

void companion_session_state::close(std::uint16_t code, std::string reason) {
  if (closing)
    return;
  closing = true;
  if (code == proto::close::rate_limited)
    deps.metrics->rate_limited[static_cast<std::size_t>(ports::dialect::companion)].inc();
  conn->close(code, std::move(reason));
}

namespace {

using self_ptr = caf::stateful_actor<companion_session_state>*;

void handle_frame(self_ptr self, const std::string& data, bool binary) {
  namespace companion = proto::companion;
  auto& st = self->state;
  if (st.closing)
    return;
  if (!st.limiter.allow(self->clock().now()))
    return st.close(proto::close::rate_limited, "rate limited");
  if (binary)
    return st.close(proto::close::invalid_json, "binary frames are not accepted");
  // SPEC.md §3 check order: JSON, key, op (open), then identify state, then fields.
  auto env = companion::open(data, st.deps.key);
  if (!env)
    return st.close(proto::close_code(env.error().code), env.error().reason);
  if (env->op != 1 && !st.identified)
    return st.close(proto::close::not_identified, "handshake first");
  auto msg = companion::decode(*env);
  if (!msg)
    return st.close(proto::close_code(msg.error().code), msg.error().reason);
  std::visit(
    [&](auto& m) {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, companion::handshake>) {
        st.identified = true;
        // The store answers through the broker, which then starts broadcasting to us.
        self->send(st.deps.store, handshake_atom::value, st.conn->id(),
                   std::move(m.guild_ids));
      } else if constexpr (std::is_same_v<T, companion::guild_request>) {
        self->send(st.deps.store, guild_req_atom::value, m.guild_id);
      } else {
        self->send(st.deps.stats, music_stats_atom::value, st.conn->id(), m.shard_id,
                   m.playing_music);
      }
    },
    *msg);
}

/// What the console shows of the session: state, age, last heartbeat.
summary_fields inspect_fields(const companion_session_state& st,
                              caf::actor_clock::time_point now) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const char* state = st.closing ? "closing" : st.identified ? "identified" : "connected";
  return {{"session", std::to_string(st.conn->id())},
          {"state", state},
          {"age_ms", std::to_string(duration_cast<milliseconds>(now - st.opened).count())},
          {"last_heartbeat_ms_ago",
           st.last_pong ? std::to_string(duration_cast<milliseconds>(now - *st.last_pong).count())
                        : std::string("never")}};
}

} // namespace

caf::behavior companion_session(caf::stateful_actor<companion_session_state>* self,
                                connection_ptr conn, companion_deps deps) {
  self->state.conn = std::move(conn);
  self->state.limiter = rate_limiter{deps.messages_per_minute};
  self->state.deps = std::move(deps);
  self->state.opened = self->clock().now();
  return {
    [=](frame_atom, const std::string& data, bool binary) { handle_frame(self, data, binary); },
    [=](pong_atom) { self->state.last_pong = self->clock().now(); },
    [=](inspect_atom) {
      return summarize(self, inspect_fields(self->state, self->clock().now()));
    },
    [=](closed_atom, std::uint16_t) {
      auto& st = self->state;
      self->send(st.deps.broker, unregister_atom::value, st.conn->id());
      self->send(st.deps.stats, forget_atom::value, st.conn->id());
      self->quit();
    },
  };
}

std::shared_ptr<ports::session_sink> open_companion_session(caf::actor_system& sys,
                                                          connection_ptr conn,
                                                          const companion_deps& deps) {
  return attach_session(deps.broker, conn, sys.spawn(companion_session, conn, deps));
}

} // namespace coord::actors
