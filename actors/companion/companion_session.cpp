#include "actors/companion/companion_session.hpp"

#include "actors/session/session_sink.hpp"
#include "proto/companion_codec.hpp"
#include "proto/errors.hpp"

#include <type_traits>
#include <variant>

namespace coord::actors {

namespace {

namespace companion = proto::companion;

using self_ptr = companion_session_actor::stateful_pointer<companion_session_state>;
using behavior = companion_session_actor::behavior_type;

behavior handshaken(self_ptr self);
behavior closing(self_ptr self);

/// Closes the session once and enters closing.
void close(self_ptr self, std::uint16_t code, std::string reason) {
  if (self->state.core.close(code, std::move(reason)))
    self->become(closing(self));
}

void dispatch(self_ptr self, companion::client_message& msg) {
  auto& st = self->state;
  std::visit(
    [&](auto& m) {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, companion::handshake>) {
        if (st.core.phase() != session_phase::identified)
          enter(self, session_phase::identified, handshaken(self));
        // The store answers through the broker, which then starts broadcasting to us.
        self->send(st.deps.store, handshake_atom::value, st.core.id(), std::move(m.guild_ids));
      } else if constexpr (std::is_same_v<T, companion::guild_request>) {
        self->send(st.deps.store, guild_req_atom::value, m.guild_id);
      } else {
        self->send(st.deps.stats, music_stats_atom::value, st.core.id(), m.shard_id,
                   m.playing_music);
      }
    },
    msg);
}

/// One frame in connected (`handshake_first`) or handshaken, in SPEC.md §3's check order:
/// JSON, key, op (open), then the handshake state, then the fields.
void handle_frame(self_ptr self, const std::string& data, bool binary, bool handshake_first) {
  auto& st = self->state;
  if (auto refused = st.core.admit(self->clock().now(), binary, "binary frames are not accepted"))
    return close(self, refused->code, std::move(refused->reason));
  auto env = companion::open(data, st.deps.key);
  if (!env)
    return close(self, proto::close_code(env.error().code), env.error().reason);
  if (handshake_first && env->op != 1)
    return close(self, proto::close::not_identified, "handshake first");
  auto msg = companion::decode(*env);
  if (!msg)
    return close(self, proto::close_code(msg.error().code), msg.error().reason);
  dispatch(self, *msg);
}

/// What the console shows of the session: state, age, last heartbeat.
summary_fields inspect_fields(self_ptr self) {
  auto& core = self->state.core;
  auto now = self->clock().now();
  return {{"session", std::to_string(core.id())},
          {"state", to_string(core.phase())},
          {"age_ms", core.age_ms(now)},
          {"last_heartbeat_ms_ago", core.last_pong_ms_ago(now)}};
}

/// Whether the heartbeat monitor watches this session's pongs.
bool watched(self_ptr self) {
  return self->state.deps.monitor && self->state.deps.ping_timeout.count() > 0;
}

void teardown(self_ptr self, std::uint16_t) {
  auto& st = self->state;
  if (watched(self))
    self->send(st.deps.monitor, hb_unwatch_atom::value, st.core.id());
  self->send(st.deps.broker, unregister_atom::value, st.core.id());
  self->send(st.deps.stats, forget_atom::value, st.core.id());
}

/// A pong: the peer is alive, its deadline starts again.
void touch(self_ptr self) {
  if (watched(self))
    self->send(self->state.deps.monitor, hb_touch_atom::value, self->state.core.id());
}

/// One state: the shared handlers, `on_frame`, and the heartbeat monitor's expiry: no pong
/// for ping_timeout closes with 4007 (the monitor never warns a companion session).
template <class OnFrame>
behavior state(self_ptr self, OnFrame on_frame) {
  return compose<behavior>(shared_handlers(self, inspect_fields, teardown, touch),
                           std::move(on_frame), [](hb_warn_atom) {},
                           [self](hb_expired_atom) {
                             close(self, proto::close::heartbeat_timeout, "ping timeout");
                           });
}

behavior connected(self_ptr self) {
  return state(self, [self](frame_atom, const std::string& data, bool binary) {
    handle_frame(self, data, binary, true);
  });
}

behavior handshaken(self_ptr self) {
  return state(self, [self](frame_atom, const std::string& data, bool binary) {
    handle_frame(self, data, binary, false);
  });
}

/// We asked net/ to close: later frames and deadlines are ignored.
behavior closing(self_ptr self) {
  return compose<behavior>(shared_handlers(self, inspect_fields, teardown),
                           [](frame_atom, const std::string&, bool) {}, [](hb_warn_atom) {},
                           [](hb_expired_atom) {});
}

} // namespace

companion_session_actor::behavior_type
companion_session(companion_session_actor::stateful_pointer<companion_session_state> self,
                  connection_ptr conn, companion_deps deps) {
  self->state.core = session_core{std::move(conn), ports::dialect::companion,
                                  deps.messages_per_minute, deps.metrics, self->clock().now()};
  self->state.deps = std::move(deps);
  if (watched(self))
    self->send(self->state.deps.monitor, hb_watch_atom::value, self->state.core.id(),
               session_actor{self}, caf::timespan{0}, self->state.deps.ping_timeout);
  return connected(self);
}

std::shared_ptr<ports::session_sink> open_companion_session(caf::actor_system& sys,
                                                          connection_ptr conn,
                                                          const companion_deps& deps) {
  return attach_session(deps.broker, conn, sys.spawn(companion_session, conn, deps));
}

} // namespace coord::actors
