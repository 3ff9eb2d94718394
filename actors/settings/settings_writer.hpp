#pragma once
// The SQLite store's writer: the only actor that touches the SQLite file after start-up. It
// commits what the settings store (the front, actors/settings/settings_store.hpp) asks, in
// order, and answers once the change is durable; it holds no copy and answers no read, so
// nothing waits behind its fsyncs but other writes.

#include "actors/settings/messages.hpp"
#include "metrics/registry.hpp"
#include "store/settings_repository.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <exception>
#include <memory>

namespace coord::actors {

struct settings_writer_state {
  static inline const char* name = "guild_settings_writer";
  std::shared_ptr<store::settings_repository> repo;
  metrics::registry* metrics = nullptr;
};

/// Spawn detached (it blocks on fsync): `sys.spawn<caf::detached>(settings_writer, repo,
/// &metrics)`; tests spawn it on the test coordinator.
settings_writer_actor::behavior_type
settings_writer(settings_writer_actor::stateful_pointer<settings_writer_state> self,
                std::shared_ptr<store::settings_repository> repo, metrics::registry* metrics);

/// The stores' exception handler: a throwing handler is a bug; log it before the actor goes
/// down (the front and the writer are linked, so both go).
caf::error log_store_exception(caf::scheduled_actor* self, std::exception_ptr& eptr);

} // namespace coord::actors
