#pragma once
// The guild-settings store: the only owner of the SQLite file. Every change is committed
// first, then handed to the broker as a broadcast; a failed commit answers an error and
// broadcasts nothing (SPEC.md §7).

#include "actors/messages.hpp"
#include "proto/companion_codec.hpp"
#include "metrics/registry.hpp"
#include "store/settings_repository.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <memory>
#include <set>
#include <unordered_map>

namespace coord::actors {

/// The store's state: the repository and an in-memory copy of every stored row, so reads
/// (a handshake asking for thousands of guilds) never touch the disk.
struct settings_store_state {
  static inline const char* name = "guild_settings_store";
  std::shared_ptr<store::settings_repository> repo;
  std::unordered_map<std::uint64_t, proto::guild_settings> settings;
  std::set<std::uint64_t> supporters;
  std::string default_prefix;
  caf::actor broker;
  metrics::registry* metrics = nullptr;
  mailbox_watermark mailbox; ///< sampled on every op 2 request and change

  /// The stored settings of `guild`, or the defaults when nothing is stored.
  proto::guild_settings get(std::uint64_t guild) const;
};

/// The broadcast of a guild's new settings, encoded once per dialect: companion op 2 and
/// gateway GUILD_SETTINGS_UPDATE when `settings_changed`, op 3 and MUSIC_COMMAND_UPDATE when
/// `music_changed` (SPEC.md §3, §4.6). Both stores (SQLite and etcd) publish with these.
std::vector<broadcast_msg> settings_broadcasts(const proto::guild_settings& s,
                                               bool settings_changed, bool music_changed,
                                               caf::actor_clock::time_point started);
/// The broadcast of a supporter added (op 10) or removed (op 11).
broadcast_msg supporter_broadcast(std::uint64_t id, bool added,
                                  caf::actor_clock::time_point started);

/// The companion handshake reply for `guilds` from a store's copy: `get(guild)` gives a
/// guild's settings (or its defaults).
template <class Get>
ports::buffer handshake_reply(const std::vector<std::uint64_t>& guilds,
                            const std::set<std::uint64_t>& supporters, Get&& get) {
  std::vector<proto::guild_settings> out;
  out.reserve(guilds.size());
  for (auto g : guilds)
    out.push_back(get(g));
  std::vector<std::uint64_t> ids{supporters.begin(), supporters.end()};
  return ports::make_buffer(proto::companion::encode_handshake_reply(ids, out));
}

/// Spawn detached (it blocks on fsync): `sys.spawn<caf::detached>(settings_store, repo,
/// default_prefix, broker, &metrics)`. Loads every row from `repo` at start.
caf::behavior settings_store(caf::stateful_actor<settings_store_state>* self,
                             std::shared_ptr<store::settings_repository> repo,
                             std::string default_prefix, caf::actor broker,
                             metrics::registry* metrics);

} // namespace coord::actors
