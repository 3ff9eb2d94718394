#pragma once
// The command router actor (SPEC.md §4.6): the wait queue of the pure command_router for the
// commands that arrive while no commands worker is in the routing set, its bounds (count,
// age) and its one-second expiry tick, with their counts (buffered, dropped_overflow,
// dropped_expired). The broker keeps the routing set and picks the worker itself, so a
// command with a worker takes no extra hop; see docs/decisions.md "Command routing split".

#include "actors/broker/command_router.hpp"
#include "actors/broker/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace coord::actors {

struct command_router_state {
  static inline const char* name = "command_router";
  metrics::registry* metrics = nullptr;
  command_router queue{10000, std::chrono::seconds(30)}; ///< its wait queue only
  bool tick_scheduled = false;

  void count(metrics::command_outcome o, std::uint64_t n = 1);
};

/// Spawn with `sys.spawn(command_router_behavior, &metrics, capacity, ttl)`
/// (gateway.command_buffer, gateway.command_buffer_ttl_s); the handle is a
/// command_router_actor (the name `command_router` is the pure router's).
command_router_actor::behavior_type
command_router_behavior(command_router_actor::stateful_pointer<command_router_state> self,
                        metrics::registry* metrics, std::size_t capacity, caf::timespan ttl);

} // namespace coord::actors
