// The broker's gateway half (SPEC.md §4.6, §4.8, §4.9): identified gateway sessions, the op 2
// events they receive — numbered with the node's one sequence and kept in each session's
// replay buffer — EXECUTE_COMMANDs to the worker the routing set picks, and the ends of a
// session (away, grace, window). RESUME and the session lists are in broker_resume.cpp.
//
// Every op 2 to an identified gateway session goes through here, so numbering, buffering and
// queueing happen in one place, in order: a session sees increasing `s`, and a broadcast is
// numbered, encoded and compressed once for all receivers.

#include "actors/broker/broker.hpp"

#include "proto/gateway_codec.hpp"
#include "proto/zlib_codec.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <random>

namespace coord::actors {

namespace gw = proto::gateway;

namespace {

using entry = broker_state::gateway_entry;

void count(broker_state& st, metrics::command_outcome o, std::uint64_t n = 1) {
  st.metrics->commands[static_cast<std::size_t>(o)].inc(n);
}

/// 128 bits from the system's random source (getrandom) as 32 hex digits: unguessable,
/// opaque to clients. Once per identify, off the hot paths.
std::string new_session_id() {
  std::random_device rd;
  char out[33];
  std::snprintf(out, sizeof out, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return out;
}

/// The connection serving a session; null while away.
ports::connection* conn_of(broker_state& st, std::uint64_t id, const entry& e) {
  if (e.away())
    return nullptr;
  auto s = st.sessions.find(id);
  return s == st.sessions.end() ? nullptr : s->second.conn.get();
}

/// Keeps a frame for replay. When the bounds push out commands that were never written, the
/// session's grace ends at once: it leaves the routing set and they are routed again — after
/// the current frame went to everyone (flush_reroutes), so no session sees `s` go back.
void keep(broker_self self, std::uint64_t id, entry& e, replay_buffer::entry frame) {
  auto dropped = e.replay.push(std::move(frame));
  if (dropped.empty())
    return;
  if (e.in_router) {
    e.in_router = false;
    self->state.routing.remove_worker(id);
  }
  auto& pending = self->state.pending_reroute;
  pending.insert(pending.end(), std::make_move_iterator(dropped.begin()),
                 std::make_move_iterator(dropped.end()));
  auto rest = e.replay.take_away_commands();
  pending.insert(pending.end(), std::make_move_iterator(rest.begin()),
                 std::make_move_iterator(rest.end()));
}

/// Sends one command to the worker the routing set picked.
void deliver(broker_self self, std::uint64_t worker, std::uint64_t guild,
             const ports::buffer& json) {
  auto& st = self->state;
  auto g = st.gateways.find(worker);
  if (g == st.gateways.end())
    return;
  send_event(self, worker, g->second, json, guild, true);
  count(st, metrics::command_outcome::routed);
}

/// A connection's end leaves its session resumable (SPEC §4.9) unless the client said goodbye
/// (1000); a protocol error of ours (4001-4006), a kick and a shutdown set `ending` first.
bool leaves_resumable(std::uint16_t code) {
  return code != 1000;
}

} // namespace

bool broker_state::receives_gateway_broadcasts(std::uint8_t type) {
  auto t = static_cast<gw::service_type>(type);
  return t == gw::service_type::sharder || t == gw::service_type::commands
         || t == gw::service_type::dashboard;
}

void send_event(broker_self self, std::uint64_t id, entry& e, const ports::buffer& payload,
                std::uint64_t command_guild, bool command) {
  auto& st = self->state;
  const auto s = ++st.next_s;
  auto text = gw::with_sequence(*payload, s);
  auto frame = ports::make_buffer(e.compress ? proto::zlib::deflate(text) : std::move(text));
  if (auto* conn = conn_of(st, id, e))
    conn->send(frame, e.compress);
  replay_buffer::entry kept{s, frame, e.compress, false, 0, nullptr};
  if (command && e.away()) {
    kept.away_command = true;
    kept.guild = command_guild;
    kept.json = payload;
  }
  keep(self, id, e, std::move(kept));
}

void flush_reroutes(broker_self self) {
  auto& pending = self->state.pending_reroute;
  while (!pending.empty()) {
    auto batch = std::move(pending);
    pending.clear();
    reroute(self, std::move(batch));
  }
}

void fan_out_gateway(broker_self self, const ports::buffer& text) {
  auto& st = self->state;
  const auto s = ++st.next_s;
  auto numbered = ports::make_buffer(gw::with_sequence(*text, s));
  ports::buffer zlib; // deflated once, on the first compressed receiver
  for (auto& [id, e] : st.gateways) {
    if (!broker_state::receives_gateway_broadcasts(e.type))
      continue;
    if (e.compress && !zlib)
      zlib = ports::make_buffer(proto::zlib::deflate(*numbered));
    const auto& frame = e.compress ? zlib : numbered;
    if (auto* conn = conn_of(st, id, e))
      conn->send(frame, e.compress);
    keep(self, id, e, replay_buffer::entry{s, frame, e.compress, false, 0, nullptr});
  }
  flush_reroutes(self);
}

void route(broker_self self, std::uint64_t guild, ports::buffer json) {
  auto& st = self->state;
  if (auto w = st.routing.pick(guild))
    return deliver(self, *w, guild, json);
  // No worker: the command router keeps it (bounded, aged) until one joins.
  if (!st.router)
    return;
  st.commands_waiting = true;
  self->send(st.router, command_wait_atom::value, guild, std::move(json));
}

void reroute(broker_self self, std::vector<replay_buffer::entry> commands) {
  count(self->state, metrics::command_outcome::rerouted, commands.size());
  for (auto& c : commands)
    route(self, c.guild, std::move(c.json));
}

void join_routing(broker_self self, std::uint64_t id, entry& e) {
  auto& st = self->state;
  e.in_router = true;
  st.routing.add_worker(id);
  if (!st.commands_waiting || !st.router)
    return flush_reroutes(self);
  // The waiting commands go out before anything routed later: await keeps every other
  // message (route_atom included) in the mailbox until the router has answered. Only when a
  // worker joins while commands wait, so never on the hot path.
  st.commands_waiting = false;
  self->request(st.router, caf::infinite, command_take_atom::value)
    .await(
      [self](std::vector<waiting_command>& waiting) {
        auto& st = self->state;
        for (auto& c : waiting) {
          if (auto w = st.routing.pick(c.guild))
            deliver(self, *w, c.guild, c.json);
          else // not reachable while await holds gw_gone back; never drop one uncounted
            route(self, c.guild, std::move(c.json));
        }
        flush_reroutes(self);
      },
      [self](caf::error& err) {
        spdlog::error("broker: the command router did not hand over its queue error=\"{}\"",
                      caf::to_string(err));
        flush_reroutes(self);
      });
}

void end_gateway(broker_self self, std::uint64_t id) {
  auto& st = self->state;
  auto g = st.gateways.find(id);
  if (g == st.gateways.end())
    return;
  if (g->second.in_router)
    st.routing.remove_worker(id);
  auto commands = g->second.replay.take_away_commands();
  st.session_ids.erase(g->second.session_id);
  st.gateways.erase(g);
  if (st.directory)
    self->send(st.directory, service_down_atom::value, id);
  reroute(self, std::move(commands));
  flush_reroutes(self);
}

void identify(broker_self self, std::uint64_t id, std::uint8_t type, bool compress,
              const std::vector<std::uint32_t>& shards, const gateway_session_actor& actor) {
  auto& st = self->state;
  auto s = st.sessions.find(id);
  if (s == st.sessions.end())
    return; // closed meanwhile
  auto& e = st.gateways[id];
  e.type = type;
  e.compress = compress;
  e.shards = shards;
  e.session_id = new_session_id();
  e.conn_id = s->second.conn->id();
  e.actor = actor;
  e.replay = replay_buffer{st.resume_buffer_events, st.resume_buffer_bytes};
  st.session_ids[e.session_id] = id;
  if (st.directory)
    self->send(st.directory, service_up_atom::value, id, type, shards);
  // IDENTIFIED first: whatever the session gets later is numbered after it.
  send_event(self, id, e,
             ports::make_buffer(gw::encode_identified(static_cast<gw::service_type>(type),
                                                    shards, e.session_id)));
  if (e.commands_worker())
    return join_routing(self, id, e);
  flush_reroutes(self);
}

void gone(broker_self self, std::uint64_t id, std::uint64_t conn_id, std::uint16_t code) {
  auto& st = self->state;
  if (auto s = st.sessions.find(id); s != st.sessions.end() && s->second.conn->id() == conn_id)
    st.sessions.erase(s);
  auto g = st.gateways.find(id);
  if (g == st.gateways.end()) {
    // Never identified: the directory forgets any heartbeat it kept for it.
    if (st.directory)
      self->send(st.directory, service_down_atom::value, id);
    return;
  }
  if (g->second.conn_id != conn_id)
    return; // a RESUME took it over
  auto& e = g->second;
  if (st.resume_window <= caf::timespan::zero() || e.ending || !leaves_resumable(code))
    return end_gateway(self, id);
  e.conn_id = 0;
  e.actor = nullptr;
  const auto gen = ++e.generation;
  e.resumable_until = self->clock().now() + st.resume_window;
  self->delayed_send(self, st.resume_window, gw_expire_atom::value, id, gen);
  // A worker stays in the routing set for the grace: its commands wait in its buffer.
  if (e.in_router)
    self->delayed_send(self, st.command_grace, gw_grace_atom::value, id, gen);
}

void grace_ended(broker_self self, std::uint64_t id, std::uint64_t gen) {
  auto& st = self->state;
  auto g = st.gateways.find(id);
  if (g == st.gateways.end() || g->second.generation != gen || !g->second.away())
    return;
  // The worker did not come back in time: the others take its guilds and its commands.
  if (g->second.in_router) {
    g->second.in_router = false;
    st.routing.remove_worker(id);
  }
  reroute(self, g->second.replay.take_away_commands());
  flush_reroutes(self);
}

void window_ended(broker_self self, std::uint64_t id, std::uint64_t gen) {
  auto& st = self->state;
  auto g = st.gateways.find(id);
  if (g != st.gateways.end() && g->second.generation == gen && g->second.away())
    end_gateway(self, id);
}

} // namespace coord::actors
