#pragma once
// The guild-settings store of cluster mode (SPEC.md §9): the same messages as the SQLite
// store (actors/settings/settings_store.hpp), with etcd as the durable copy. A change is a
// transaction that also compares the leader key, so only the active node's writes commit;
// it is acknowledged once etcd committed it and this node's watch has delivered it. Every
// broadcast comes from the watch on <prefix>state/, once per committed change, in revision
// order — also for changes other programs write in the documented format.
// Reads answer from memory: they never wait behind a write.

#include "actors/cluster/cluster_view.hpp"
#include "actors/cluster/etcd_calls.hpp"
#include "actors/messages.hpp"
#include "metrics/registry.hpp"
#include "store/etcd_layout.hpp"

#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace coord::actors {

struct etcd_store_deps {
  std::weak_ptr<ports::etcd_port> client;
  store::etcd::layout keys;
  std::string default_prefix;
  change_sink_actor broker; ///< where committed changes and handshakes go
  metrics::registry* metrics = nullptr;
  std::shared_ptr<cluster_view> view;
};

struct etcd_store_state {
  static inline const char* name = "etcd_settings_store";
  etcd_store_deps deps;
  etcd_calls calls;
  bool active = false;
  std::string leader_key;          ///< the election key this node won with
  std::int64_t leader_revision = 0; ///< its create revision: every write compares it
  std::unordered_map<std::uint64_t, proto::guild_settings> settings;
  std::unordered_map<std::uint64_t, std::int64_t> settings_revision; ///< mod revision per guild
  std::set<std::uint64_t> supporters;
  std::int64_t revision = 0; ///< every change up to this revision is applied and broadcast
  std::uint64_t watch_generation = 0;
  std::uint64_t activation = 0;    ///< changes with every activation and stand-down
  std::int64_t lag_seen = 0;       ///< a committed revision the watch had not delivered
  std::uint64_t watch_restarts = 0; ///< watches reopened because they fell silent
  std::shared_ptr<ports::etcd_watch> watch;
  /// Acknowledgements waiting for the watch to reach a revision.
  std::multimap<std::int64_t, std::function<void()>> waiting;
  std::uint64_t invalid_values = 0; ///< values under state/ that are not in the format
  mailbox_watermark mailbox;

  proto::guild_settings get(std::uint64_t guild) const;
};

/// Spawn with `sys.spawn(etcd_store, deps)`; it holds nothing until cl_activate.
etcd_store_actor::behavior_type
etcd_store(etcd_store_actor::stateful_pointer<etcd_store_state> self, etcd_store_deps deps);

} // namespace coord::actors
