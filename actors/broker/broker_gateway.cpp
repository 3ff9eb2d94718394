// The broker's gateway half (SPEC.md §4.6, §4.8, §4.9): identified gateway sessions, the op 2
// events they receive — numbered with the node's one sequence and kept in each session's
// replay buffer — EXECUTE_COMMAND routing, resume, and the /services list.
//
// Every op 2 to an identified gateway session goes through here, so numbering, buffering and
// queueing happen in one place, in order: a session sees increasing `s`, and a broadcast is
// numbered, encoded and compressed once for all receivers.

#include "actors/broker/broker.hpp"

#include "proto/gateway_codec.hpp"
#include "proto/zlib_codec.hpp"

#include <caf/event_based_actor.hpp>

#include <cstdio>
#include <random>

namespace coord::actors {

namespace gw = proto::gateway;

namespace {

using self_ptr = caf::stateful_actor<broker_state>*;
using entry = broker_state::gateway_entry;

void count(broker_state& st, metrics::command_outcome o, std::uint64_t n = 1) {
  st.metrics->commands[static_cast<std::size_t>(o)].inc(n);
}

bool is_commands(const entry& e) {
  return static_cast<gw::service_type>(e.type) == gw::service_type::commands;
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

void reroute(self_ptr self, std::vector<replay_buffer::entry> commands);

/// Keeps a frame for replay. When the bounds push out commands that were never written, the
/// session's grace ends at once: it leaves the routing set and they are routed again — after
/// the current frame went to everyone (flush_reroutes), so no session sees `s` go back.
void keep(self_ptr self, std::uint64_t id, entry& e, replay_buffer::entry frame) {
  auto dropped = e.replay.push(std::move(frame));
  if (dropped.empty())
    return;
  if (e.in_router) {
    e.in_router = false;
    self->state.router.remove_worker(id);
  }
  auto& pending = self->state.pending_reroute;
  pending.insert(pending.end(), std::make_move_iterator(dropped.begin()),
                 std::make_move_iterator(dropped.end()));
  auto rest = e.replay.take_away_commands();
  pending.insert(pending.end(), std::make_move_iterator(rest.begin()),
                 std::make_move_iterator(rest.end()));
}

/// Routes again what keep() set aside; called once a handler's sends are done.
void flush_reroutes(self_ptr self) {
  auto& pending = self->state.pending_reroute;
  while (!pending.empty()) {
    auto batch = std::move(pending);
    pending.clear();
    reroute(self, std::move(batch));
  }
}

/// Numbers one op 2 payload for one session, sends it (or keeps it while away) and buffers it.
/// `command`: an EXECUTE_COMMAND and its guild, kept aside while away to be routed again.
void send_event(self_ptr self, std::uint64_t id, entry& e, const ports::buffer& payload,
                std::uint64_t command_guild = 0, bool command = false) {
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

/// Sends one command to the worker the router picked.
void deliver(self_ptr self, std::uint64_t worker, std::uint64_t guild, const ports::buffer& json) {
  auto& st = self->state;
  auto g = st.gateways.find(worker);
  if (g == st.gateways.end())
    return;
  send_event(self, worker, g->second, json, guild, true);
  count(st, metrics::command_outcome::routed);
}

/// Routes a command, or queues it while no worker is connected.
void route(self_ptr self, std::uint64_t guild, ports::buffer json) {
  auto& st = self->state;
  if (auto w = st.router.pick(guild))
    return deliver(self, *w, guild, json);
  auto now = self->clock().now();
  count(st, metrics::command_outcome::dropped_expired, st.router.expire(now));
  if (!st.router.buffer({guild, std::move(json), now})) {
    count(st, metrics::command_outcome::dropped_overflow);
    return;
  }
  count(st, metrics::command_outcome::buffered);
  // Expired commands are counted even when no worker ever comes.
  if (!st.expiry_scheduled) {
    st.expiry_scheduled = true;
    self->delayed_send(self, std::chrono::seconds(1), backlog_tick_atom::value);
  }
}

/// Routes again, in order, the commands a worker that went away never got.
void reroute(self_ptr self, std::vector<replay_buffer::entry> commands) {
  count(self->state, metrics::command_outcome::rerouted, commands.size());
  for (auto& c : commands)
    route(self, c.guild, std::move(c.json));
}

/// Routes the waiting commands once a worker is there.
void flush_backlog(self_ptr self) {
  auto& st = self->state;
  count(st, metrics::command_outcome::dropped_expired,
        st.router.expire(self->clock().now()));
  if (st.router.workers() == 0)
    return;
  for (auto& p : st.router.take_backlog())
    deliver(self, *st.router.pick(p.guild), p.guild, p.json);
}

/// Ends a gateway session for good: out of the routing set, its unwritten commands routed
/// again, forgotten.
void end_gateway(self_ptr self, std::uint64_t id) {
  auto& st = self->state;
  auto g = st.gateways.find(id);
  if (g == st.gateways.end())
    return;
  if (g->second.in_router)
    st.router.remove_worker(id);
  auto commands = g->second.replay.take_away_commands();
  st.session_ids.erase(g->second.session_id);
  st.gateways.erase(g);
  st.heartbeats.erase(id);
  reroute(self, std::move(commands));
  flush_reroutes(self);
}

/// A connection's end leaves its session resumable (SPEC §4.9) unless the client said goodbye
/// (1000); a protocol error of ours (4001-4006), a kick and a shutdown set `ending` first.
bool leaves_resumable(std::uint16_t code) {
  return code != 1000;
}

/// The connection of a gateway session ended.
void gone(self_ptr self, std::uint64_t id, std::uint64_t conn_id, std::uint16_t code) {
  auto& st = self->state;
  if (auto s = st.sessions.find(id); s != st.sessions.end() && s->second.conn->id() == conn_id)
    st.sessions.erase(s);
  auto g = st.gateways.find(id);
  if (g == st.gateways.end()) {
    st.heartbeats.erase(id); // heartbeats before an identify that never came
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

/// RESUME (SPEC §4.9).
resume_answer resume(self_ptr self, const std::string& session_id, std::uint64_t seq,
                     std::uint64_t conn_id, const caf::actor& actor) {
  auto& st = self->state;
  resume_answer out;
  auto k = st.session_ids.find(session_id);
  auto g = k == st.session_ids.end() ? st.gateways.end() : st.gateways.find(k->second);
  if (g == st.gateways.end()) {
    st.metrics->resumes_invalid.inc();
    return out;
  }
  const auto id = g->first;
  auto& e = g->second;
  auto old = st.sessions.find(id);
  const bool open = !e.away() && old != st.sessions.end();
  if (st.sessions.count(conn_id) == 0) {
    st.metrics->resumes_invalid.inc();
    return out; // the new connection is gone already: nothing taken over
  }
  if (e.ending || st.resume_window <= caf::timespan::zero() || !e.replay.can_resume(seq)) {
    // The session named is ended; its old connection (its actor cleans up as usual) goes.
    st.metrics->resumes_invalid.inc();
    if (open)
      old->second.conn->close(proto::close::taken_over, "session taken over");
    end_gateway(self, id);
    return out;
  }
  if (open) {
    // Taken over: the old actor must not end what lives on in the new connection.
    self->send(e.actor, gw_taken_atom::value);
    old->second.conn->close(proto::close::taken_over, "session taken over");
  }
  // The new connection keeps the session's id in the list.
  auto fresh = st.sessions.find(conn_id);
  auto handle = std::move(fresh->second);
  st.sessions.erase(fresh);
  st.sessions[id] = std::move(handle);
  e.conn_id = conn_id;
  e.actor = actor;
  ++e.generation; // the window and grace timers find nothing to do
  e.replay.keep_away_commands();
  auto& conn = *st.sessions[id].conn;
  std::uint64_t n = 0;
  for (const auto* f : e.replay.after(seq)) {
    conn.send(f->frame, f->binary);
    ++n;
  }
  auto resumed = gw::encode_resumed(n);
  conn.send(ports::make_buffer(e.compress ? proto::zlib::deflate(resumed) : std::move(resumed)),
            e.compress);
  st.metrics->resumes_resumed.inc();
  st.metrics->replayed_events.inc(n);
  if (is_commands(e) && !e.in_router) {
    e.in_router = true;
    st.router.add_worker(id);
    flush_backlog(self);
  }
  flush_reroutes(self);
  out.ok = true;
  out.session = id;
  out.type = e.type;
  out.compress = e.compress;
  out.shards = e.shards;
  return out;
}

session_info gateway_info(self_ptr self, std::uint64_t id, const entry& e,
                          session_info info) {
  info.replays = true;
  info.last_s = e.replay.last_s();
  info.replay_events = e.replay.size();
  info.replay_bytes = e.replay.bytes();
  if (e.away()) {
    info.state = "resumable";
    info.resumable_in_ms = std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(e.resumable_until -
                                                                self->clock().now())
           .count());
  }
  return info;
}

} // namespace

bool broker_state::receives_gateway_broadcasts(std::uint8_t type) {
  auto t = static_cast<gw::service_type>(type);
  return t == gw::service_type::sharder || t == gw::service_type::commands
         || t == gw::service_type::dashboard;
}

void fan_out_gateway(self_ptr self, const ports::buffer& text) {
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

std::vector<session_info> list_sessions(self_ptr self) {
  auto& st = self->state;
  std::vector<session_info> out;
  out.reserve(st.sessions.size());
  for (auto& [id, h] : st.sessions) {
    auto info = st.info(id, h);
    if (auto g = st.gateways.find(id); g != st.gateways.end())
      info = gateway_info(self, id, g->second, std::move(info));
    out.push_back(std::move(info));
  }
  for (auto& [id, e] : st.gateways)
    if (e.away()) {
      session_info info;
      info.id = id;
      info.dialect = ports::dialect::gateway;
      out.push_back(gateway_info(self, id, e, std::move(info)));
    }
  return out;
}

std::optional<session_info> find_session(self_ptr self, std::uint64_t id) {
  auto& st = self->state;
  auto g = st.gateways.find(id);
  if (auto s = st.sessions.find(id); s != st.sessions.end()) {
    auto info = st.info(id, s->second);
    return g == st.gateways.end() ? info : gateway_info(self, id, g->second, std::move(info));
  }
  if (g == st.gateways.end())
    return std::nullopt;
  session_info info;
  info.id = id;
  info.dialect = ports::dialect::gateway;
  return gateway_info(self, id, g->second, std::move(info));
}

bool kick_session(self_ptr self, std::uint64_t id, std::uint16_t code) {
  auto& st = self->state;
  auto g = st.gateways.find(id);
  if (g != st.gateways.end()) {
    g->second.ending = true; // an operator's close ends the session
    if (g->second.away()) {
      end_gateway(self, id);
      return true;
    }
  }
  auto s = st.sessions.find(id);
  if (s == st.sessions.end())
    return false;
  s->second.conn->close(code, "closed by operator");
  return true;
}

caf::message_handler gateway_handlers(caf::stateful_actor<broker_state>* self) {
  return {
    [=](gw_ident_atom, std::uint64_t id, std::uint8_t type, bool compress,
        const std::vector<std::uint32_t>& shards) {
      auto& st = self->state;
      auto s = st.sessions.find(id);
      if (s == st.sessions.end())
        return; // closed meanwhile
      auto& e = st.gateways[id];
      e.type = type;
      e.compress = compress;
      e.start_time_ms = unix_ms(st.wall);
      e.shards = shards;
      e.session_id = new_session_id();
      e.conn_id = s->second.conn->id();
      e.actor = s->second.actor;
      e.replay = replay_buffer{st.resume_buffer_events, st.resume_buffer_bytes};
      st.session_ids[e.session_id] = id;
      // IDENTIFIED first: whatever the session gets later is numbered after it.
      send_event(self, id, e,
                 ports::make_buffer(gw::encode_identified(static_cast<gw::service_type>(type),
                                                        shards, e.session_id)));
      if (is_commands(e)) {
        e.in_router = true;
        st.router.add_worker(id);
        flush_backlog(self);
      }
      flush_reroutes(self);
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
        const caf::actor& actor) { return resume(self, session_id, seq, conn_id, actor); },
    [=](gw_grace_atom, std::uint64_t id, std::uint64_t gen) {
      auto& st = self->state;
      auto g = st.gateways.find(id);
      if (g == st.gateways.end() || g->second.generation != gen || !g->second.away())
        return;
      // The worker did not come back in time: the others take its guilds and its commands.
      if (g->second.in_router) {
        g->second.in_router = false;
        st.router.remove_worker(id);
      }
      reroute(self, g->second.replay.take_away_commands());
      flush_reroutes(self);
    },
    [=](gw_expire_atom, std::uint64_t id, std::uint64_t gen) {
      auto& st = self->state;
      auto g = st.gateways.find(id);
      if (g != st.gateways.end() && g->second.generation == gen && g->second.away())
        end_gateway(self, id);
    },
    [=](gw_hb_atom, std::uint64_t id, std::uint64_t heap_used, std::int64_t guilds) {
      if (self->state.gateways.count(id) == 0)
        return; // /services lists identified sessions only
      auto& hb = self->state.heartbeats[id];
      hb.first = heap_used;
      hb.second = guilds;
    },
    [=](gw_shards_atom, std::uint64_t id, const std::vector<std::uint32_t>& shards) {
      auto g = self->state.gateways.find(id);
      if (g != self->state.gateways.end())
        g->second.shards = shards;
    },
    [=](route_atom, std::uint64_t guild, const std::string& json) {
      self->state.mailbox.sample(self);
      route(self, guild, ports::make_buffer(json));
      flush_reroutes(self);
    },
    [=](backlog_tick_atom) {
      auto& st = self->state;
      st.expiry_scheduled = false;
      count(st, metrics::command_outcome::dropped_expired,
            st.router.expire(self->clock().now()));
      if (st.router.backlog() > 0) {
        st.expiry_scheduled = true;
        self->delayed_send(self, std::chrono::seconds(1), backlog_tick_atom::value);
      }
    },
    [=](services_atom) {
      auto& st = self->state;
      std::vector<service_info> out;
      out.reserve(st.gateways.size());
      for (auto& [id, g] : st.gateways) {
        service_info s;
        s.id = id;
        s.type = static_cast<gw::service_type>(g.type);
        s.start_time_ms = g.start_time_ms;
        if (auto hb = st.heartbeats.find(id); hb != st.heartbeats.end()) {
          s.heap_used = hb->second.first;
          if (hb->second.second >= 0)
            s.guilds = static_cast<std::uint64_t>(hb->second.second);
        }
        if (s.type == gw::service_type::sharder)
          s.shards = g.shards;
        out.push_back(std::move(s));
      }
      return out;
    },
  };
}

} // namespace coord::actors
