#include "actors/broker/broker.hpp"

#include "actors/broker/publish.hpp"
#include "actors/errors.hpp"
#include "proto/errors.hpp"

#include <caf/result.hpp>

namespace coord::actors {

void broker_state::add_receiver(ports::connection* conn) {
  if (companion_index.count(conn->id()) != 0)
    return;
  companion_index.emplace(conn->id(), companions.size());
  companions.push_back(conn);
}

void broker_state::remove_receiver(std::uint64_t id) {
  auto i = companion_index.find(id);
  if (i == companion_index.end())
    return;
  // Swap-remove keeps the vector dense; broadcast order across sessions does not matter,
  // only the order within one session, which a single queue per connection keeps.
  auto slot = i->second;
  companion_index.erase(i);
  if (slot + 1 != companions.size()) {
    companions[slot] = companions.back();
    companion_index[companions[slot]->id()] = slot;
  }
  companions.pop_back();
}

session_info broker_state::info(std::uint64_t id, const session_handle& h) const {
  const auto& c = *h.conn;
  session_info out;
  out.id = id;
  out.dialect = c.dialect();
  out.remote = c.remote_address();
  out.queued_bytes = c.queued_bytes();
  out.receiving = companion_index.count(id) != 0;
  out.messages_in = c.messages_in();
  out.messages_out = c.messages_out();
  return out;
}

namespace {

/// Sends one broadcast to every receiver of its dialects.
void fan_out(broker_self self, const broadcast_msg& msg) {
  auto& st = self->state;
  st.mailbox.sample(self);
  if (msg.companion)
    for (auto* conn : st.companions)
      conn->send(msg.companion);
  if (msg.gateway)
    fan_out_gateway(self, msg.gateway);
  st.metrics->broadcasts.inc();
  std::chrono::duration<double> took = self->clock().now() - msg.started;
  st.metrics->broadcast_seconds.observe(took.count());
}

/// Sends a handshake reply, then makes the session a receiver of later broadcasts.
void attach(broker_self self, std::uint64_t id,
            const ports::buffer& reply) {
  auto i = self->state.sessions.find(id);
  if (i == self->state.sessions.end())
    return; // closed while the store worked on its handshake
  // The reply goes first, then every later broadcast: both run in this actor, so a
  // change committed after the store built the reply reaches the session after it.
  i->second.conn->send(reply);
  if (i->second.conn->dialect() == ports::dialect::companion)
    self->state.add_receiver(i->second.conn.get());
}

} // namespace

broker_actor::behavior_type broker(broker_self self, metrics::registry* metrics) {
  return broker_with(self, metrics, broker_config{});
}

broker_actor::behavior_type broker_with(broker_self self, metrics::registry* metrics,
                                        broker_config cfg) {
  auto& st = self->state;
  st.metrics = metrics;
  st.resume_window = cfg.resume_window;
  st.command_grace = cfg.command_grace;
  st.resume_buffer_events = cfg.resume_buffer_events;
  st.resume_buffer_bytes = cfg.resume_buffer_bytes;
  st.view = std::move(cfg.view);
  st.router = std::move(cfg.router);
  st.directory = std::move(cfg.directory);
  return {
    [=](register_atom, session_handle& h) {
      auto id = h.conn->id();
      // Upgraded just before this node stood down (its upgrade passed the check, its
      // registration came after close_all): it must not stay open beside the active node.
      if (self->state.view && !self->state.view->serving(self->clock().now()))
        h.conn->close(proto::close::going_away, "this node is not the active node");
      self->state.sessions.emplace(id, std::move(h));
    },
    [=](unregister_atom, std::uint64_t id) {
      // Companion and voice sessions; gateway sessions say gw_gone (they may be resumable).
      self->state.remove_receiver(id);
      self->state.sessions.erase(id);
    },
    [=](attach_atom, std::uint64_t id, const ports::buffer& reply) { attach(self, id, reply); },
    // The store's handshake snapshot, encoded here (actors/broker/publish.hpp).
    [=](attach_atom, const handshake_snapshot& h) {
      attach(self, h.session, encode_handshake(h));
    },
    [=](broadcast_atom, const broadcast_msg& msg) { fan_out(self, msg); },
    // The store's committed changes: encoded once per dialect, then fanned out.
    [=](publish_atom, const settings_changed& c) {
      for (const auto& msg : encode_change(c))
        fan_out(self, msg);
    },
    [=](publish_atom, const supporter_changed& c) { fan_out(self, encode_change(c)); },
    [=](sessions_atom) { return list_sessions(self); },
    [=](session_find_atom, std::uint64_t id) -> caf::result<session_ref> {
      auto info = find_session(self, id);
      if (!info)
        return make_coord_error(coord_errc::not_found, "no such session");
      auto i = self->state.sessions.find(id);
      // A resumable session has no actor: the console shows what the broker knows.
      return session_ref{std::move(*info),
                         i == self->state.sessions.end() ? session_actor{} : i->second.actor};
    },
    [=](session_refs_atom) {
      std::vector<session_ref> out;
      out.reserve(self->state.sessions.size());
      for (auto& [id, h] : self->state.sessions)
        out.push_back(session_ref{self->state.info(id, h), h.actor});
      return out;
    },
    [=](inspect_atom) {
      return summarize(self, {{"sessions", std::to_string(self->state.sessions.size())},
                              {"companion_receivers",
                               std::to_string(self->state.companions.size())},
                              {"mailbox_peak", std::to_string(self->state.mailbox.peak)}});
    },
    [=](kick_atom, std::uint64_t id, std::uint16_t code) {
      return kick_session(self, id, code);
    },
    [=](close_all_atom, std::uint16_t code, const std::string& reason) {
      for (auto& [id, e] : self->state.gateways)
        e.ending = true; // a shutdown ends every gateway session (not resumable)
      for (auto& [id, h] : self->state.sessions)
        h.conn->close(code, reason);
    },
    // -- gateway sessions (broker_gateway.cpp, broker_resume.cpp) ------------------------
    [=](gw_ident_atom, std::uint64_t id, std::uint8_t type, bool compress,
        const std::vector<std::uint32_t>& shards, const gateway_session_actor& actor) {
      identify(self, id, type, compress, shards, actor);
    },
    [=](gw_send_atom, std::uint64_t id, const std::string& payload) {
      auto& st = self->state;
      if (auto g = st.gateways.find(id); g != st.gateways.end())
        send_event(self, id, g->second, ports::make_buffer(payload));
      flush_reroutes(self);
    },
    [=](gw_end_atom, std::uint64_t id) {
      if (auto g = self->state.gateways.find(id); g != self->state.gateways.end())
        g->second.ending = true;
    },
    [=](gw_gone_atom, std::uint64_t id, std::uint64_t conn_id, std::uint16_t code) {
      gone(self, id, conn_id, code);
    },
    [=](gw_resume_atom, const std::string& session_id, std::uint64_t seq, std::uint64_t conn_id,
        const gateway_session_actor& actor) {
      return resume(self, session_id, seq, conn_id, actor);
    },
    [=](gw_grace_atom, std::uint64_t id, std::uint64_t gen) { grace_ended(self, id, gen); },
    [=](gw_expire_atom, std::uint64_t id, std::uint64_t gen) { window_ended(self, id, gen); },
    [=](gw_shards_atom, std::uint64_t id, std::vector<std::uint32_t>& shards) {
      auto& st = self->state;
      auto g = st.gateways.find(id);
      if (g == st.gateways.end())
        return;
      g->second.shards = shards; // a RESUME asks the planner for these back
      if (st.directory)
        self->send(st.directory, gw_shards_atom::value, id, std::move(shards));
    },
    [=](route_atom, std::uint64_t guild, const std::string& json) {
      self->state.mailbox.sample(self);
      route(self, guild, ports::make_buffer(json));
      flush_reroutes(self);
    },
  };
}

} // namespace coord::actors
