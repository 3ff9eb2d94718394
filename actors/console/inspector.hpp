#pragma once
// The inspector: answers the debug console (SPEC.md §8) by asking the other actors, never
// blocking; every answer goes back through the line's console_reply.

#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace coord::actors {

/// What the inspector needs of the rest of the node.
struct inspector_deps {
  std::string version;
  std::string http_address;    ///< "host:port" of the HTTP + websocket listener
  std::size_t io_threads = 0;
  std::size_t scheduler_threads = 0;
  /// console.password; when set, every command but `auth` and `quit` needs `auth` first.
  std::string password;
  broker_actor broker;
  settings_store_actor store;
  shard_stats_actor stats;
  shard_planner_actor planner; ///< `shards`
  cluster_node_actor cluster; ///< cluster mode's cluster actor (`cluster`); none on a single node
  /// The long-lived actors `actors` lists after the inspector itself; each must answer
  /// inspect_atom with an actor_summary. Session actors come from the broker.
  std::vector<inspectable_actor> actors;
  metrics::registry* metrics = nullptr;
};

struct inspector_state {
  static inline const char* name = "inspector";
  inspector_deps deps;
  std::uint64_t commands = 0; ///< console lines answered or in flight
  caf::actor_clock::time_point started; ///< actor clock at spawn: `info`'s uptime origin
};

/// Spawn with `sys.spawn(inspector, deps)`; send it console lines (inspector_actor).
inspector_actor::behavior_type
inspector(inspector_actor::stateful_pointer<inspector_state> self, inspector_deps deps);

} // namespace coord::actors
