#pragma once
// The voice registry (SPEC.md §5): voice sessions by key with their voice clients, so they
// survive the connection; VC_TIMEOUT for retained keys; takeover by a newer connection.

#include "actors/cluster/cluster_messages.hpp"
#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <map>
#include <string>
#include <unordered_map>

namespace coord::actors {

struct voice_registry_state;
using voice_registry_self = voice_registry_actor::stateful_pointer<voice_registry_state>;

struct voice_registry_state {
  static inline const char* name = "voice_registry";

  /// One key: its voice clients and who owns it.
  struct entry {
    std::map<std::uint64_t, proto::voice::voice_client> clients; ///< by guild id
    bool live = false;       ///< owned by a connection; false: retained
    std::uint64_t owner = 0; ///< the owning connection's session id, when live
    voice_session_actor owner_actor;
    std::uint64_t generation = 0; ///< which retention; a timer of an older one is ignored
  };

  std::unordered_map<std::string, entry> sessions;
  caf::timespan vc_timeout{};
  metrics::registry* metrics = nullptr;
  std::uint64_t next_generation = 0;
  /// Cluster mode: where voice sessions' changes go (the cluster actor, while active).
  cluster_node_actor recorder;
  /// Tells the recorder what `key` holds now (gone: destroyed).
  void record(voice_registry_self self, const std::string& key,
              const entry* e);
  caf::actor_clock::time_point started; ///< actor clock at spawn: the uptime's origin

  /// Keeps `key`'s voice clients and starts its timeout.
  void retain(voice_registry_self self, const std::string& key,
              entry& e);

  /// Destroys `key` with its voice clients.
  void destroy(std::unordered_map<std::string, entry>::iterator i);

  proto::voice::status_info status(caf::actor_clock::time_point now) const;
};

/// Spawn with `sys.spawn(voice_registry, vc_timeout, &metrics)`.
voice_registry_actor::behavior_type
voice_registry(voice_registry_actor::stateful_pointer<voice_registry_state> self,
               caf::timespan vc_timeout, metrics::registry* metrics);

} // namespace coord::actors
