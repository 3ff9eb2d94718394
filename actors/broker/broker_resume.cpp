// The broker's RESUME (SPEC.md §4.9) and its session lists: the list of the console and the
// admin API shows resumable gateway sessions beside the connected ones.

#include "actors/broker/broker.hpp"

#include "proto/errors.hpp"
#include "proto/gateway_codec.hpp"
#include "proto/zlib_codec.hpp"

#include <caf/send.hpp>

namespace coord::actors {

namespace gw = proto::gateway;

namespace {

using entry = broker_state::gateway_entry;

session_info gateway_info(broker_self self, std::uint64_t id, const entry& e,
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

/// RESUME (SPEC §4.9).
resume_answer resume(broker_self self, const std::string& session_id, std::uint64_t seq,
                     std::uint64_t conn_id, const gateway_session_actor& actor) {
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
  if (e.commands_worker() && !e.in_router)
    join_routing(self, id, e); // also routes what was set aside
  else
    flush_reroutes(self);
  out.ok = true;
  out.session = id;
  out.type = e.type;
  out.compress = e.compress;
  out.shards = e.shards;
  return out;
}

std::vector<session_info> list_sessions(broker_self self) {
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

std::optional<session_info> find_session(broker_self self, std::uint64_t id) {
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

bool kick_session(broker_self self, std::uint64_t id, std::uint16_t code) {
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

} // namespace coord::actors
