#pragma once
// The service directory (GET /services, SPEC.md §4.8): the identified gateway sessions with
// their type, start time, shards and last heartbeat. The broker says when a session
// identified, changed shards and ended for good (it alone knows resumability, §4.9); the
// sessions send their heartbeats here directly, so they never wait in the broker's mailbox
// behind broadcasts and routed commands.

#include "actors/broker/messages.hpp"
#include "actors/wall_clock.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace coord::actors {

struct service_directory_state {
  static inline const char* name = "service_directory";
  /// An identified session (its id kept across resumes).
  struct service {
    std::uint8_t type = 0; ///< proto::gateway::service_type
    std::int64_t start_time_ms = 0;
    std::vector<std::uint32_t> shards;
  };
  std::unordered_map<std::uint64_t, service> services;
  /// Latest heartbeat per session: heapUsed, guilds (-1: none). A heartbeat may arrive before
  /// the broker's service_up (they come from different actors), so it is kept by id and
  /// shown once the session is listed; service_down drops it.
  struct heartbeat {
    std::uint64_t heap_used = 0;
    std::int64_t guilds = -1;
  };
  std::unordered_map<std::uint64_t, heartbeat> heartbeats;
  wall_clock wall; ///< a session's startTime; empty: the system clock

  std::vector<service_info> list() const;
};

/// Spawn with `sys.spawn(service_directory, wall_clock{})`.
service_directory_actor::behavior_type
service_directory(service_directory_actor::stateful_pointer<service_directory_state> self,
                  wall_clock wall);

} // namespace coord::actors
