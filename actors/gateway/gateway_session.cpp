#include "actors/gateway/gateway_session.hpp"

#include "actors/cache/entity_cache.hpp"
#include "actors/session/session_sink.hpp"
#include "proto/errors.hpp"
#include "proto/zlib_codec.hpp"

#include <spdlog/spdlog.h>

#include <type_traits>
#include <variant>

namespace coord::actors {

namespace gw = proto::gateway;

void gateway_session_state::send(std::string json) {
  if (compress)
    core.conn()->send(ports::make_buffer(proto::zlib::deflate(json)), true);
  else
    core.conn()->send(ports::make_buffer(std::move(json)), false);
}

namespace {

using self_ptr = gateway_session_actor::stateful_pointer<gateway_session_state>;
using behavior = gateway_session_actor::behavior_type;

behavior open_state(self_ptr self);
behavior closing(self_ptr self);

/// Closes the session once and enters closing.
void close(self_ptr self, std::uint16_t code, std::string reason) {
  auto& st = self->state;
  auto closed = st.core.close(code, std::move(reason), [&] {
    // A protocol error of ours ends the session with its connection (SPEC §4.9).
    if (code >= 4001 && code <= 4006 && st.type)
      self->send(st.deps.broker, gw_end_atom::value, st.session);
  });
  if (closed)
    self->become(closing(self));
}

/// The session knows its service type now (IDENTIFY, or a RESUME that succeeded).
void identified(self_ptr self, proto::gateway::service_type type, bool compress) {
  auto& st = self->state;
  st.type = type;
  st.compress = compress;
  if (st.core.phase() == session_phase::connected)
    enter(self, session_phase::identified, open_state(self));
}

void on_identify(self_ptr self, gw::identify& id) {
  auto& st = self->state;
  identified(self, id.type, id.compress);
  // The broker sends IDENTIFIED (numbered, with the sessionId) and only then anything else
  // (broadcasts, routed commands).
  auto announce = [self, type = static_cast<std::uint8_t>(id.type),
                   compress = id.compress](const std::vector<std::uint32_t>& shards) {
    auto& st = self->state;
    self->send(st.deps.broker, gw_ident_atom::value, st.session, type, compress, shards,
               gateway_session_actor{self});
  };
  if (id.type != gw::service_type::sharder)
    return announce({});
  std::vector<std::uint32_t> wanted;
  if (id.shards)
    wanted = *id.shards;
  self
    ->request(st.deps.planner, caf::infinite, shard_identify_atom::value, st.session,
              gateway_session_actor{self}, std::move(wanted))
    .then(
      [announce](const std::vector<std::uint32_t>& shards) { announce(shards); },
      [self](caf::error& err) {
        spdlog::error("gateway: shard planner did not answer session={} error=\"{}\"",
                      self->state.core.id(), caf::to_string(err));
        close(self, proto::close::internal_error, "shard planner unavailable");
      });
}

/// Asks the store to commit a change; the store broadcasts it, so only a failure matters.
template <class Reply, class... Ts>
void store_change(self_ptr self, Ts&&... xs) {
  self->request(self->state.deps.store, std::chrono::seconds(10), std::forward<Ts>(xs)...)
    .then([](const Reply&) {},
          [self](caf::error& err) {
            spdlog::warn("gateway: store change failed session={} error=\"{}\"",
                         self->state.core.id(), caf::to_string(err));
          });
}

void on_event(self_ptr self, gw::client_event& ev) {
  auto& st = self->state;
  std::visit(
    [&](auto& e) {
      using T = std::decay_t<decltype(e)>;
      if constexpr (std::is_same_v<T, gw::execute_command>) {
        // Encoded once here, from the validated fields only; the broker picks the worker.
        self->send(st.deps.broker, route_atom::value, e.guild_id, gw::encode_execute_command(e));
      } else if constexpr (std::is_same_v<T, gw::identify_request>) {
        self->send(st.deps.planner, identify_request_atom::value, st.session, e.shard);
      } else if constexpr (std::is_same_v<T, gw::guild_settings_update>) {
        store_change<proto::guild_settings>(self, settings_set_atom::value, e.guild_id, e.patch);
      } else if constexpr (std::is_same_v<T, gw::music_command_update>) {
        store_change<proto::guild_settings>(self, music_set_atom::value, e.guild_id, e.enable);
      } else if constexpr (std::is_same_v<T, gw::supporter_add>) {
        store_change<bool>(self, supporter_add_atom::value, e.supporter_id);
      } else {
        store_change<bool>(self, supporter_del_atom::value, e.supporter_id);
      }
    },
    ev);
}

/// RESUME (SPEC §4.9): the broker checks the session and replays; this connection then serves
/// it. await, not then: frames after RESUME must see the resumed session.
void on_resume(self_ptr self, const gw::resume& r) {
  auto& st = self->state;
  self
    ->request(st.deps.broker, caf::infinite, gw_resume_atom::value, r.session_id, r.seq,
              st.core.id(), gateway_session_actor{self})
    .await(
      [self](resume_answer& a) {
        auto& st = self->state;
        if (!a.ok) {
          // Never compressed: this connection is not identified. It may IDENTIFY now.
          st.core.conn()->send(ports::make_buffer(gw::encode_invalid_session()), false);
          return;
        }
        st.session = a.session;
        identified(self, static_cast<gw::service_type>(a.type), a.compress);
        if (st.type != gw::service_type::sharder)
          return;
        // Its shards follow §4.5: held since the connection ended, asked back now. A list
        // that changed meanwhile comes as SHARDS_ASSIGNED.
        self
          ->request(st.deps.planner, caf::infinite, shard_identify_atom::value, st.session,
                    gateway_session_actor{self}, a.shards)
          .then([self, before = a.shards](const std::vector<std::uint32_t>& shards) {
            auto& st = self->state;
            self->send(st.deps.broker, gw_shards_atom::value, st.session, shards);
            if (shards != before)
              self->send(st.deps.broker, gw_send_atom::value, st.session,
                         gw::encode_shards_assigned(shards));
          });
      },
      [self](caf::error&) { close(self, proto::close::internal_error, "internal error"); });
}

/// One frame in connected or identified: the decoder checks what its op needs of the state.
void handle_frame(self_ptr self, const std::string& data, bool binary) {
  auto& st = self->state;
  if (auto refused = st.core.admit(self->clock().now(), binary, "client payloads are JSON text"))
    return close(self, refused->code, std::move(refused->reason));
  auto frame = gw::open(data);
  if (!frame)
    return close(self, proto::close_code(frame.error().code), frame.error().reason);
  auto msg = gw::decode(*frame, gw::session_view{st.type, st.deps.secret});
  if (!msg)
    return close(self, proto::close_code(msg.error().code), msg.error().reason);
  std::visit(
    [&](auto& m) {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, gw::identify>) {
        on_identify(self, m);
      } else if constexpr (std::is_same_v<T, gw::heartbeat>) {
        self->send(st.deps.monitor, hb_touch_atom::value, st.core.id());
        if (st.type && st.deps.directory) // /services lists identified sessions only
          self->send(st.deps.directory, gw_hb_atom::value, st.session, m.heap_used,
                     m.guilds ? static_cast<std::int64_t>(*m.guilds) : std::int64_t{-1});
        st.send(gw::encode_heartbeat_ack());
      } else if constexpr (std::is_same_v<T, gw::client_event>) {
        on_event(self, m);
      } else if constexpr (std::is_same_v<T, gw::resume>) {
        on_resume(self, m);
      } else {
        if (const auto* ignored = std::get_if<gw::ignored_record>(&m))
          st.deps.metrics->cache_ignored[static_cast<std::size_t>(ignored->reason)].inc();
        else
          cache_ingest(st.deps.cache, std::move(m));
      }
    },
    *msg);
}

summary_fields inspect_fields(self_ptr self) {
  auto& st = self->state;
  std::string type = st.type ? std::string{gw::to_string(*st.type)} : "-";
  return {{"session", std::to_string(st.session)},
          {"connection", std::to_string(st.core.id())},
          {"state", to_string(st.core.phase())},
          {"type", type},
          {"compress", st.compress ? "yes" : "no"}};
}

void teardown(self_ptr self, std::uint16_t code) {
  auto& st = self->state;
  self->send(st.deps.monitor, hb_unwatch_atom::value, st.core.id());
  // Taken over by a RESUME: the session lives on in the newer connection.
  if (!st.taken_over) {
    self->send(st.deps.broker, gw_gone_atom::value, st.session, st.core.id(), code);
    if (st.type == gw::service_type::sharder)
      self->send(st.deps.planner, shard_end_atom::value, st.session, gateway_session_actor{self});
  }
}

/// One state: the handlers every state shares, then the state's own.
template <class... Fs>
behavior state(self_ptr self, Fs... fs) {
  auto shared = std::tuple_cat(
    shared_handlers(self, inspect_fields, teardown),
    std::make_tuple(
      // Numbered by the broker, which sends them (or keeps them while the session is away).
      [self](shards_assigned_atom, const std::vector<std::uint32_t>& shards) {
        auto& st = self->state;
        self->send(st.deps.broker, gw_shards_atom::value, st.session, shards);
        self->send(st.deps.broker, gw_send_atom::value, st.session,
                   gw::encode_shards_assigned(shards));
      },
      [self](identify_granted_atom, std::uint32_t shard) {
        auto& st = self->state;
        self->send(st.deps.broker, gw_send_atom::value, st.session,
                   gw::encode_identify_granted(shard));
      },
      [self](gw_taken_atom) { self->state.taken_over = true; }));
  return compose<behavior>(shared, std::move(fs)...);
}

/// connected and identified: frames are served and the monitor's deadlines act.
behavior open_state(self_ptr self) {
  return state(
    self,
    [self](frame_atom, const std::string& data, bool binary) { handle_frame(self, data, binary); },
    [self](hb_warn_atom) { self->state.send(gw::encode_heartbeat_request()); },
    [self](hb_expired_atom) {
      close(self, proto::close::heartbeat_timeout, "heartbeat timeout");
    });
}

/// We asked net/ to close: frames and the monitor's deadlines are ignored.
behavior closing(self_ptr self) {
  return state(self, [](frame_atom, const std::string&, bool) {}, [](hb_warn_atom) {},
               [](hb_expired_atom) {});
}

} // namespace

gateway_session_actor::behavior_type
gateway_session(gateway_session_actor::stateful_pointer<gateway_session_state> self,
                connection_ptr conn, gateway_deps deps) {
  auto& st = self->state;
  st.core = session_core{std::move(conn), ports::dialect::gateway, deps.messages_per_minute,
                         deps.metrics, self->clock().now()};
  st.session = st.core.id();
  st.deps = std::move(deps);
  // HELLO is never compressed: compression starts with IDENTIFIED.
  st.core.conn()->send(ports::make_buffer(gw::encode_hello(st.deps.heartbeat_interval_ms)),
                       false);
  auto interval = std::chrono::milliseconds(st.deps.heartbeat_interval_ms);
  // 1.5 intervals without a heartbeat: ask for one; 2 intervals: close with 4007.
  self->send(st.deps.monitor, hb_watch_atom::value, st.core.id(), session_actor{self},
             caf::timespan{interval * 3 / 2}, caf::timespan{interval * 2});
  return open_state(self);
}

std::shared_ptr<ports::session_sink> open_gateway_session(caf::actor_system& sys,
                                                        connection_ptr conn,
                                                        const gateway_deps& deps) {
  return attach_session(deps.broker, conn, sys.spawn(gateway_session, conn, deps));
}

} // namespace coord::actors
