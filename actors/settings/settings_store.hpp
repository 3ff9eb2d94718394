#pragma once
// The guild-settings store on SQLite: a front actor that owns the in-memory copy and
// answers every read at once, and a detached writer (settings_writer.hpp) that commits.
// A change is queued at the front, committed by the writer, then applied to the copy,
// published to the broker and acknowledged; a failed commit answers store_failed and
// publishes nothing (SPEC.md §7). Writes run one at a time, in arrival order, each on the
// copy as the writes before it left it; reads never wait behind them.

#include "actors/console/summary.hpp"
#include "actors/settings/messages.hpp"
#include "metrics/registry.hpp"
#include "store/settings_repository.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>

namespace coord::actors {

/// What the SQLite file holds at start-up.
struct settings_snapshot {
  std::string path;
  std::vector<proto::guild_settings> settings;
  std::vector<std::uint64_t> supporters;
};

/// Reads every row of `repo` (start-up only: it blocks on the file).
settings_snapshot load_snapshot(store::settings_repository& repo);

struct settings_store_state {
  static inline const char* name = "guild_settings_store";
  settings_writer_actor writer;
  std::string path;
  std::unordered_map<std::uint64_t, proto::guild_settings> settings; ///< committed rows
  std::set<std::uint64_t> supporters;                                ///< committed
  std::string default_prefix;
  change_sink_actor broker; ///< where committed changes and handshakes go
  metrics::registry* metrics = nullptr;
  mailbox_watermark mailbox; ///< sampled on every op 2 request and change
  /// Writes not yet sent to the writer; each starts when the one before it is answered.
  std::deque<std::function<void()>> writes;
  bool writing = false; ///< a write is at the writer

  /// The committed settings of `guild`, or the defaults when nothing is stored.
  proto::guild_settings get(std::uint64_t guild) const;
};

/// The front: `sys.spawn(settings_store, writer, load_snapshot(*repo), default_prefix,
/// broker, &metrics)`. It links to `writer`, so the writer ends with it.
settings_store_actor::behavior_type
settings_store(settings_store_actor::stateful_pointer<settings_store_state> self,
               settings_writer_actor writer, settings_snapshot initial,
               std::string default_prefix, change_sink_actor broker, metrics::registry* metrics);

/// Loads `repo`, spawns its writer and the front, each detached (on a thread of its own).
settings_store_actor spawn_settings_store(caf::actor_system& sys,
                                          std::shared_ptr<store::settings_repository> repo,
                                          std::string default_prefix, change_sink_actor broker,
                                          metrics::registry* metrics);

} // namespace coord::actors
