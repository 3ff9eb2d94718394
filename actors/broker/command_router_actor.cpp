#include "actors/broker/command_router_actor.hpp"

#include "actors/console/summary.hpp"

namespace coord::actors {

void command_router_state::count(metrics::command_outcome o, std::uint64_t n) {
  metrics->commands[static_cast<std::size_t>(o)].inc(n);
}

command_router_actor::behavior_type
command_router_behavior(command_router_actor::stateful_pointer<command_router_state> self,
                        metrics::registry* metrics, std::size_t capacity, caf::timespan ttl) {
  auto& st = self->state;
  st.metrics = metrics;
  st.queue = command_router{
    capacity, std::chrono::duration_cast<command_router::clock::duration>(ttl)};
  // The queue ages by the actor clock (the deterministic test clock in actor tests): CAF's
  // steady clock, the pure router's clock.
  auto now = [self] { return self->clock().now(); };
  return {
    [=](inspect_atom) {
      return summarize(self, {{"waiting", std::to_string(self->state.queue.backlog())}});
    },
    [=](command_wait_atom, std::uint64_t guild, ports::buffer& json) {
      auto& st = self->state;
      st.count(metrics::command_outcome::dropped_expired, st.queue.expire(now()));
      if (!st.queue.buffer({guild, std::move(json), now()})) {
        st.count(metrics::command_outcome::dropped_overflow);
        return;
      }
      st.count(metrics::command_outcome::buffered);
      // Expired commands are counted even when no worker ever comes.
      if (!st.tick_scheduled) {
        st.tick_scheduled = true;
        self->delayed_send(self, std::chrono::seconds(1), backlog_tick_atom::value);
      }
    },
    [=](command_take_atom) {
      auto& st = self->state;
      st.count(metrics::command_outcome::dropped_expired, st.queue.expire(now()));
      std::vector<waiting_command> out;
      out.reserve(st.queue.backlog());
      for (auto& p : st.queue.take_backlog())
        out.push_back({p.guild, std::move(p.json)});
      return out;
    },
    [=](backlog_tick_atom) {
      auto& st = self->state;
      st.tick_scheduled = false;
      st.count(metrics::command_outcome::dropped_expired, st.queue.expire(now()));
      if (st.queue.backlog() > 0) {
        st.tick_scheduled = true;
        self->delayed_send(self, std::chrono::seconds(1), backlog_tick_atom::value);
      }
    },
  };
}

} // namespace coord::actors
