#pragma once
// One coordinator node: the actors, the listener, and the way they are started and stopped.

#include "actors/broker/messages.hpp"
#include "actors/cluster/cluster_messages.hpp"
#include "actors/console/messages.hpp"
#include "actors/companion/messages.hpp"
#include "actors/http/messages.hpp"
#include "actors/liveness/messages.hpp"
#include "actors/shards/messages.hpp"
#include "actors/voice/messages.hpp"
#include "app/config.hpp"
#include "actors/settings/etcd_store.hpp"
#include "metrics/registry.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

namespace coord::net {
class server;
class console_server;
class etcd_client;
}
namespace coord::actors {
class cluster_view;
}
namespace coord::store {
class settings_repository;
}

namespace coord::app {

/// Wires the actors to the listener. start() and shutdown() run on the main thread.
class node {
public:
  node(caf::actor_system& sys, const config& cfg, metrics::registry& metrics,
       std::shared_ptr<store::settings_repository> repo);
  ~node();

  /// Binds the listener (and in cluster mode starts campaigning); throws std::runtime_error
  /// with one line when it cannot.
  void start();

  /// "host:port" of the HTTP + websocket listener.
  std::string http_address() const;

  /// "host:port" of the debug console (valid after start()).
  std::string console_address() const;

  /// SPEC.md §8: stop accepting, close every session with 1001, stop the actors (the store
  /// closes SQLite), stop the io threads. Returns within about 4 s.
  void shutdown();

private:
  caf::actor_system& sys_;
  const config& cfg_;
  /// Owned by main() and declared before the actor system, so it outlives every actor: the
  /// system's destructor waits for actors (a detached store finishing a queued write after
  /// shutdown) that still count into it.
  metrics::registry& metrics_;
  actors::broker_actor broker_;
  actors::command_router_actor router_;        ///< commands waiting for a worker
  actors::service_directory_actor directory_;  ///< GET /services
  actors::settings_store_actor store_; ///< SQLite, or in cluster mode etcd_store_
  actors::etcd_store_actor etcd_store_; ///< cluster mode: the store, with its cluster messages
  std::shared_ptr<store::settings_repository> repo_; // shared with store_'s writer, for stop_waiting
  actors::shard_stats_actor stats_;
  actors::http_api_actor http_api_;
  actors::heartbeat_monitor_actor monitor_;
  actors::voice_registry_actor voice_registry_;
  actors::shard_planner_actor planner_;
  std::vector<actors::entity_cache_actor> cache_;
  std::unique_ptr<net::server> server_;

  // Cluster mode (SPEC §9): the etcd client, the role every thread reads, the cluster actor.
  std::shared_ptr<net::etcd_client> etcd_;
  std::shared_ptr<actors::cluster_view> view_;
  actors::cluster_node_actor cluster_;
  void start_cluster();
  void stop_cluster();

  // Debug console (app/node_console.cpp).
  void start_console();
  void stop_console();
  actors::inspector_actor inspector_;
  std::unique_ptr<net::console_server> console_;
};

} // namespace coord::app
