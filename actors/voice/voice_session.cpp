#include "actors/voice/voice_session.hpp"

#include "actors/session/session_sink.hpp"
#include "proto/errors.hpp"
#include "proto/secure_compare.hpp"
#include "proto/voice_codec.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/timespan.hpp>

#include <type_traits>
#include <variant>

namespace coord::actors {

namespace voice = proto::voice;

void voice_session_state::send(std::string text) {
  core.conn()->send(ports::make_buffer(std::move(text)));
}

namespace {

constexpr const char* password_mismatch = "Password mismatch.";

using self_ptr = voice_session_actor::stateful_pointer<voice_session_state>;
using behavior = voice_session_actor::behavior_type;

behavior identified(self_ptr self);
behavior closing(self_ptr self, bool release);

/// Closes the session once and enters closing; an identified session's key is released when
/// the connection ends.
void close(self_ptr self, std::uint16_t code, std::string reason) {
  auto& st = self->state;
  const bool release = st.core.phase() == session_phase::identified;
  if (st.core.close(code, std::move(reason)))
    self->become(closing(self, release));
}

/// Destroys the voice client of `guild` (it exists): VC_DESTROYED, and the registry forgets it.
void destroy_client(self_ptr self, std::uint64_t guild) {
  auto& st = self->state;
  st.clients.erase(guild);
  st.send(voice::encode_vc_destroyed(guild));
  self->send(st.deps.registry, vc_del_atom::value, st.key, st.core.id(), guild);
}

/// Tells the registry the current form of a voice client.
void store_client(self_ptr self, const voice::voice_client& vc) {
  auto& st = self->state;
  self->send(st.deps.registry, vc_set_atom::value, st.key, st.core.id(), vc);
}

void on_identify(self_ptr self, const voice::identify& m) {
  auto& st = self->state;
  if (st.core.phase() == session_phase::identified)
    return st.send(voice::encode_already_identified());
  enter(self, session_phase::identified, identified(self));
  st.user_id = m.user_id;
  st.key = m.key();
  // await, not then: frames that follow IDENTIFY (voice events) must see the resumed voice
  // clients, and the replies keep the order of the requests.
  self
    ->request(st.deps.registry, caf::infinite, vc_claim_atom::value, st.key, st.core.id(),
              voice_session_actor{self})
    .await(
      [=](voice_claim& claim) {
        auto& st = self->state;
        for (auto& vc : claim.clients) {
          if (vc.channel_id)
            st.channels[vc.guild_id] = *vc.channel_id;
          st.clients.emplace(vc.guild_id, vc);
        }
        st.send(voice::encode_identified());
        if (claim.resumed)
          st.send(voice::encode_resumed(claim.clients, st.deps.resumed_form));
      },
      [=](caf::error&) { close(self, proto::close::internal_error, "internal error"); });
}

void on_voice_state(self_ptr self, const voice::voice_state_update& m) {
  auto& st = self->state;
  if (m.user_id != st.user_id)
    return; // someone else's voice state
  if (m.channel_id)
    st.channels[m.guild_id] = *m.channel_id;
  else
    st.channels.erase(m.guild_id);
  auto i = st.clients.find(m.guild_id);
  if (i == st.clients.end())
    return;
  if (!m.channel_id)
    return destroy_client(self, m.guild_id);
  if (i->second.channel_id == m.channel_id)
    return; // mute, deafen and the like
  i->second.channel_id = m.channel_id;
  st.send(voice::encode_vc_channel_edited(m.guild_id, m.channel_id));
  store_client(self, i->second);
}

void on_voice_server(self_ptr self, const voice::voice_server_update& m) {
  auto& st = self->state;
  auto i = st.clients.find(m.guild_id);
  if (i != st.clients.end()) {
    // A new voice server for an existing client: nothing the bot needs to hear about.
    i->second.endpoint = m.endpoint.value_or("");
    return store_client(self, i->second);
  }
  voice::voice_client vc;
  vc.guild_id = m.guild_id;
  vc.id = std::to_string(st.core.id()) + "-" + std::to_string(++st.next_client);
  if (auto c = st.channels.find(m.guild_id); c != st.channels.end())
    vc.channel_id = c->second;
  vc.endpoint = m.endpoint.value_or("");
  st.send(voice::encode_vc_created(vc));
  store_client(self, vc);
  st.clients.emplace(m.guild_id, std::move(vc));
}

void on_status(self_ptr self) {
  auto& st = self->state;
  self->request(st.deps.registry, caf::infinite, vc_status_atom::value)
    .await([=](const voice::status_info& s) { self->state.send(voice::encode_status(s)); },
           [=](caf::error&) { close(self, proto::close::internal_error, "internal error"); });
}

void dispatch(self_ptr self, voice::client_message& msg) {
  auto& st = self->state;
  std::visit(
    [&](auto& m) {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, voice::heartbeat>) {
        st.send(voice::encode_heartbeat_ack(m.d_text));
      } else if constexpr (std::is_same_v<T, voice::identify>) {
        on_identify(self, m);
      } else if constexpr (std::is_same_v<T, voice::voice_state_update>) {
        on_voice_state(self, m);
      } else if constexpr (std::is_same_v<T, voice::voice_server_update>) {
        on_voice_server(self, m);
      } else if constexpr (std::is_same_v<T, voice::other_event>) {
        // The bot forwards all its gateway traffic; only the two voice events matter here.
      } else if constexpr (std::is_same_v<T, voice::vc_destroy>) {
        if (st.clients.count(m.guild_id) == 0)
          return st.send(voice::encode_voice_client_not_found(voice::op::vc_destroy,
                                                              m.guild_text));
        destroy_client(self, m.guild_id);
      } else if constexpr (std::is_same_v<T, voice::get_state>) {
        auto i = st.clients.find(m.guild_id);
        if (i == st.clients.end())
          return st.send(voice::encode_voice_client_not_found(voice::op::get_state,
                                                              m.guild_text));
        st.send(voice::encode_state(i->second));
      } else if constexpr (std::is_same_v<T, voice::get_queue>) {
        if (st.clients.count(m.guild_id) == 0)
          return st.send(voice::encode_voice_client_not_found(voice::op::get_queue,
                                                              m.guild_text));
        st.send(voice::encode_queue(m.guild_id)); // this node plays nothing: always empty
      } else if constexpr (std::is_same_v<T, voice::get_status>) {
        on_status(self);
      } else {
        static_assert(std::is_same_v<T, voice::unknown_op>);
        // A player op (requestSubtitle, setVolume, ...) for a guild without a voice client
        // gets the error the clients wait for; otherwise it is not this node's to serve.
        if (m.guild_id && st.clients.count(*m.guild_id) == 0)
          return st.send(voice::encode_voice_client_not_found(m.op, m.guild_text));
        ++st.ignored_ops;
      }
    },
    msg);
}

/// One frame in connected (`identify_first`: only the ops allowed before IDENTIFY) or
/// identified.
void handle_frame(self_ptr self, std::string_view data, bool binary, bool identify_first) {
  auto& st = self->state;
  // Any message counts as life, whatever it says (voice.idle_timeout_s).
  if (st.deps.monitor)
    self->send(st.deps.monitor, hb_touch_atom::value, st.core.id());
  if (auto refused = st.core.admit(self->clock().now(), binary, "binary frames are not accepted"))
    return close(self, refused->code, std::move(refused->reason));
  auto env = voice::open(data);
  if (!env)
    return close(self, proto::close_code(env.error().code), env.error().reason);
  if (!env->has_op) {
    ++st.ignored_ops;
    return;
  }
  if (identify_first && !voice::allowed_before_identify(env->op))
    return st.send(voice::encode_not_identified(env->op));
  auto msg = voice::decode(*env);
  if (!msg)
    return close(self, proto::close_code(msg.error().code), msg.error().reason);
  dispatch(self, *msg);
}

summary_fields inspect_fields(self_ptr self) {
  auto& st = self->state;
  return {{"session", std::to_string(st.core.id())},
          {"state", to_string(st.core.phase())},
          {"key", st.key.empty() ? "-" : st.key},
          {"voice_clients", std::to_string(st.clients.size())},
          {"ignored_ops", std::to_string(st.ignored_ops)}};
}

/// The teardown when the connection ends; `release`: the session was identified, so the
/// registry keeps its voice clients (after a takeover it sees that this connection no longer
/// owns the key and starts no timer).
auto teardown(bool release) {
  return [release](self_ptr self, std::uint16_t) {
    auto& st = self->state;
    if (st.deps.monitor)
      self->send(st.deps.monitor, hb_unwatch_atom::value, st.core.id());
    if (release)
      self->send(st.deps.registry, vc_release_atom::value, st.key, st.core.id());
    self->send(st.deps.broker, unregister_atom::value, st.core.id());
  };
}

/// connected and identified: frames are served, and the idle timeout and a takeover close.
behavior open_state(self_ptr self, bool is_identified) {
  return compose<behavior>(
    shared_handlers(self, inspect_fields, teardown(is_identified)),
    [self, is_identified](frame_atom, const std::string& data, bool binary) {
      handle_frame(self, data, binary, !is_identified);
    },
    [](hb_warn_atom) {}, // watched without a warning; nothing to ask for
    [self](hb_expired_atom) { close(self, proto::close::heartbeat_timeout, "idle timeout"); },
    [self](vc_takeover_atom) { close(self, proto::close::taken_over, "session taken over"); });
}

behavior connected(self_ptr self) {
  return open_state(self, false);
}

behavior identified(self_ptr self) {
  return open_state(self, true);
}

/// We asked net/ to close: later frames, deadlines and takeovers are ignored.
behavior closing(self_ptr self, bool release) {
  return compose<behavior>(shared_handlers(self, inspect_fields, teardown(release)),
                           [](frame_atom, const std::string&, bool) {}, [](hb_warn_atom) {},
                           [](hb_expired_atom) {}, [](vc_takeover_atom) {});
}

} // namespace

voice_session_actor::behavior_type
voice_session(voice_session_actor::stateful_pointer<voice_session_state> self,
              connection_ptr conn, bool authorized, voice_deps deps) {
  auto& st = self->state;
  st.core = session_core{std::move(conn), ports::dialect::voice, deps.messages_per_minute,
                         deps.metrics, self->clock().now()};
  st.deps = std::move(deps);
  if (!authorized) {
    // The seed's server answers FORBIDDEN and stops; the close frame follows the payload.
    st.send(voice::encode_forbidden(password_mismatch));
    st.core.close(proto::close::auth_failed, password_mismatch);
    return closing(self, false);
  }
  st.send(voice::encode_hello(st.deps.version, st.deps.heartbeat_interval));
  if (st.deps.monitor && st.deps.idle_timeout.count() > 0)
    self->send(st.deps.monitor, hb_watch_atom::value, st.core.id(), session_actor{self},
               caf::timespan{0}, st.deps.idle_timeout);
  return connected(self);
}

std::shared_ptr<ports::session_sink> open_voice_session(caf::actor_system& sys,
                                                      connection_ptr conn,
                                                      const ports::upgrade_request& req,
                                                      const voice_deps& deps) {
  // An empty voice.password refuses everyone, like an empty admin.token.
  const bool authorized =
    !deps.password.empty() && proto::secure_equals(req.authorization, deps.password);
  return attach_session(deps.broker, conn, sys.spawn(voice_session, conn, authorized, deps));
}

} // namespace coord::actors
