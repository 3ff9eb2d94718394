#pragma once
// The broker: registry of every live session, and the fan-out of broadcasts.

#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <unordered_map>
#include <vector>

namespace coord::actors {

/// The broker's state: sessions by id and the companion receivers in a flat vector, so a
/// broadcast is one pass over contiguous pointers.
struct broker_state {
  static inline const char* name = "broker";
  metrics::registry* metrics = nullptr;
  std::unordered_map<std::uint64_t, session_handle> sessions;
  std::vector<net::connection*> companions; ///< receivers of companion broadcasts
  std::unordered_map<std::uint64_t, std::size_t> companion_index; ///< id -> slot in companions

  void add_receiver(net::connection* conn);
  void remove_receiver(std::uint64_t id);

  /// One line of the session list.
  session_info info(std::uint64_t id, const session_handle& h) const;
};

/// Spawn with `sys.spawn(broker, &metrics)`.
caf::behavior broker(caf::stateful_actor<broker_state>* self, metrics::registry* metrics);

} // namespace coord::actors
