// The broker's gateway half (SPEC.md §4.6, §4.8): identified gateway sessions, the
// broadcasts they receive, EXECUTE_COMMAND routing and the /services list.

#include "actors/broker.hpp"

#include "proto/zlib_codec.hpp"

#include <caf/event_based_actor.hpp>

namespace coord::actors {

namespace gw = proto::gateway;

namespace {

using self_ptr = caf::stateful_actor<broker_state>*;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Sends one command to the worker the router picked.
void deliver(broker_state& st, std::uint64_t worker, const net::buffer& json) {
  auto s = st.sessions.find(worker);
  auto g = st.gateways.find(worker);
  if (s == st.sessions.end() || g == st.gateways.end())
    return;
  if (g->second.compress)
    s->second.conn->send(net::make_buffer(proto::zlib::deflate(*json)), true);
  else
    s->second.conn->send(json, false);
  st.metrics->commands[static_cast<std::size_t>(metrics::command_outcome::routed)].inc();
}

/// Routes or queues the waiting commands once a worker is there.
void flush_backlog(broker_state& st) {
  auto expired = st.router.expire(command_router::clock::now());
  st.metrics->commands[static_cast<std::size_t>(metrics::command_outcome::dropped_expired)]
    .inc(expired);
  if (st.router.workers() == 0)
    return;
  for (auto& p : st.router.take_backlog())
    deliver(st, *st.router.pick(p.guild), p.json);
}

} // namespace

bool broker_state::receives_gateway_broadcasts(std::uint8_t type) {
  auto t = static_cast<gw::service_type>(type);
  return t == gw::service_type::sharder || t == gw::service_type::commands
         || t == gw::service_type::dashboard;
}

void broker_state::fan_out_gateway(const net::buffer& text) {
  net::buffer zlib; // deflated once, on the first compressed receiver
  for (auto& [id, g] : gateways) {
    if (!receives_gateway_broadcasts(g.type))
      continue;
    auto s = sessions.find(id);
    if (s == sessions.end())
      continue;
    if (g.compress) {
      if (!zlib)
        zlib = net::make_buffer(proto::zlib::deflate(*text));
      s->second.conn->send(zlib, true);
    } else {
      s->second.conn->send(text, false);
    }
  }
}

void broker_state::forget_gateway(std::uint64_t id) {
  if (gateways.erase(id) != 0)
    router.remove_worker(id);
}

caf::message_handler gateway_handlers(caf::stateful_actor<broker_state>* self) {
  return {
    [=](gw_ident_atom, std::uint64_t id, std::uint8_t type, bool compress) {
      auto& st = self->state;
      if (st.sessions.count(id) == 0)
        return; // closed meanwhile
      auto& g = st.gateways[id];
      g.type = type;
      g.compress = compress;
      g.start_time_ms = unix_ms();
      if (static_cast<gw::service_type>(type) == gw::service_type::commands) {
        st.router.add_worker(id);
        flush_backlog(st);
      }
    },
    [=](gw_hb_atom, std::uint64_t id, std::uint64_t heap_used, std::int64_t guilds) {
      auto& st = self->state;
      auto& hb = st.heartbeats[id];
      hb.first = heap_used;
      hb.second = guilds;
    },
    [=](gw_shards_atom, std::uint64_t id, const std::vector<std::uint32_t>& shards) {
      auto g = self->state.gateways.find(id);
      if (g != self->state.gateways.end())
        g->second.shards = shards;
    },
    [=](route_atom, std::uint64_t guild, const std::string& json) {
      auto& st = self->state;
      st.mailbox.sample(self);
      auto buf = net::make_buffer(json);
      if (auto w = st.router.pick(guild)) {
        deliver(st, *w, buf);
        return;
      }
      auto now = command_router::clock::now();
      st.metrics->commands[static_cast<std::size_t>(metrics::command_outcome::dropped_expired)]
        .inc(st.router.expire(now));
      if (st.router.buffer({guild, std::move(buf), now})) {
        st.metrics->commands[static_cast<std::size_t>(metrics::command_outcome::buffered)].inc();
        // Expired commands are counted even when no worker ever comes.
        if (!st.expiry_scheduled) {
          st.expiry_scheduled = true;
          self->delayed_send(self, std::chrono::seconds(1), backlog_tick_atom::value);
        }
      } else {
        st.metrics->commands[static_cast<std::size_t>(metrics::command_outcome::dropped_overflow)]
          .inc();
      }
    },
    [=](backlog_tick_atom) {
      auto& st = self->state;
      st.expiry_scheduled = false;
      st.metrics->commands[static_cast<std::size_t>(metrics::command_outcome::dropped_expired)]
        .inc(st.router.expire(command_router::clock::now()));
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
