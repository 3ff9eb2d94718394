#include "actors/broker/broker.hpp"

#include "actors/broker/publish.hpp"
#include "proto/errors.hpp"

#include <caf/event_based_actor.hpp>
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
void fan_out(caf::stateful_actor<broker_state>* self, const broadcast_msg& msg) {
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
void attach(caf::stateful_actor<broker_state>* self, std::uint64_t id,
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

caf::behavior broker(caf::stateful_actor<broker_state>* self, metrics::registry* metrics) {
  return broker_with(self, metrics, broker_config{});
}

caf::behavior broker_with(caf::stateful_actor<broker_state>* self, metrics::registry* metrics,
                          broker_config cfg) {
  self->state.metrics = metrics;
  self->set_default_handler(caf::print_and_drop);
  self->state.router = command_router{
    cfg.command_buffer,
    std::chrono::duration_cast<command_router::clock::duration>(cfg.command_ttl)};
  self->state.resume_window = cfg.resume_window;
  self->state.command_grace = cfg.command_grace;
  self->state.resume_buffer_events = cfg.resume_buffer_events;
  self->state.resume_buffer_bytes = cfg.resume_buffer_bytes;
  self->state.wall = std::move(cfg.wall);
  self->state.view = std::move(cfg.view);
  caf::message_handler own{
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
                         i == self->state.sessions.end() ? caf::actor{} : i->second.actor};
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
  };
  return own.or_else(gateway_handlers(self));
}

} // namespace coord::actors
