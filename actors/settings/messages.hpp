#pragma once
// The guild settings store (SPEC.md §3 op 1/op 2, §6 admin API): one typed interface,
// `settings_store_actor`, two implementations (settings_store on SQLite, etcd_store in
// cluster mode). The store publishes typed changes to the broker; the broker encodes them
// once per dialect (actors/broker/publish.hpp).

#include "actors/cluster/cluster_messages.hpp"
#include "actors/console/messages.hpp"
#include "actors/inspect_optional.hpp"
#include "proto/admin_codec.hpp"
#include "proto/guild_settings.hpp"

#include <caf/actor_clock.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace coord::proto {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, guild_settings& x) {
  return f(caf::meta::type_name("guild_settings"), x.guild_id, x.prefix, x.dj_role_id,
           x.voice_channel_id, x.music_channel_id, x.music_enabled);
}

/// Every field of the patch, set or not (see actors/inspect_optional.hpp).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, settings_patch& x) {
  auto prefix = actors::to_caf_optional(x.prefix);
  auto dj_role = actors::to_caf_optional(x.dj_role_id);
  auto voice_channel = actors::to_caf_optional(x.voice_channel_id);
  auto music_channel = actors::to_caf_optional(x.music_channel_id);
  auto music_enabled = actors::to_caf_optional(x.music_enabled);
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x.prefix = actors::to_std_optional(prefix);
    x.dj_role_id = actors::to_std_optional(dj_role);
    x.voice_channel_id = actors::to_std_optional(voice_channel);
    x.music_channel_id = actors::to_std_optional(music_channel);
    x.music_enabled = actors::to_std_optional(music_enabled);
    return caf::none;
  });
  return f(caf::meta::type_name("settings_patch"), prefix, dj_role, voice_channel,
           music_channel, music_enabled, loaded);
}

} // namespace coord::proto

namespace coord::actors {

using handshake_atom = caf::atom_constant<caf::atom("cd_hshake")>;
using guild_req_atom = caf::atom_constant<caf::atom("cd_greq")>;
using settings_get_atom = caf::atom_constant<caf::atom("cd_sget")>;
using settings_set_atom = caf::atom_constant<caf::atom("cd_sset")>;
using music_set_atom = caf::atom_constant<caf::atom("cd_music")>;
using supporters_atom = caf::atom_constant<caf::atom("cd_sups")>;
using supporter_add_atom = caf::atom_constant<caf::atom("cd_supadd")>;
using supporter_del_atom = caf::atom_constant<caf::atom("cd_supdel")>;
using store_counts_atom = caf::atom_constant<caf::atom("cd_scount")>;
/// store -> broker: a committed change (settings_changed, supporter_changed) to fan out.
using publish_atom = caf::atom_constant<caf::atom("cd_publish")>;
/// store -> broker: send the op 1 reply, then start broadcasting to the session.
using attach_atom = caf::atom_constant<caf::atom("cd_attach")>;
/// settings store -> its SQLite writer: commit a guild's settings.
using store_save_atom = caf::atom_constant<caf::atom("cd_ssave")>;

/// What the settings store holds.
struct store_counts {
  std::string path;
  std::size_t guilds = 0; ///< guilds with stored settings
  std::size_t supporters = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_counts& x) {
  return f(caf::meta::type_name("store_counts"), x.path, x.guilds, x.supporters);
}

/// A guild's settings changed (committed), or a companion asked for them (op 2).
struct settings_changed {
  proto::guild_settings settings; ///< the guild's settings now
  /// Prefix, DJ role or a channel changed: companion op 2, gateway GUILD_SETTINGS_UPDATE.
  bool fields = false;
  /// music_enabled changed: companion op 3, gateway MUSIC_COMMAND_UPDATE.
  bool music = false;
  /// An answer to a companion's op 2 request, not a change: op 2 to companions only.
  bool requested = false;
  /// When it was triggered, from the store's clock (see broadcast_msg::started).
  caf::actor_clock::time_point started{};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, settings_changed& x) {
  return f(caf::meta::type_name("settings_changed"), x.settings, x.fields, x.music,
           x.requested, x.started);
}

/// A supporter was added (companion op 10) or removed (op 11).
struct supporter_changed {
  std::uint64_t id = 0;
  bool added = false;
  caf::actor_clock::time_point started{};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supporter_changed& x) {
  return f(caf::meta::type_name("supporter_changed"), x.id, x.added, x.started);
}

/// What a companion session's op 1 is answered with, as the store holds it when asked: the
/// broker encodes it and attaches the session (attach_atom).
struct handshake_snapshot {
  std::uint64_t session = 0;
  std::vector<std::uint64_t> supporters;
  std::vector<proto::guild_settings> guilds; ///< in the order the session asked for them
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handshake_snapshot& x) {
  return f(caf::meta::type_name("handshake_snapshot"), x.session, x.supporters, x.guilds);
}

/// The handshake snapshot of `session` from a store's state (`supporters`, `get(guild)`).
template <class State>
handshake_snapshot make_handshake(std::uint64_t session, const std::vector<std::uint64_t>& guilds,
                                  const State& st) {
  handshake_snapshot h;
  h.session = session;
  h.supporters.assign(st.supporters.begin(), st.supporters.end());
  h.guilds.reserve(guilds.size());
  for (auto g : guilds)
    h.guilds.push_back(st.get(g));
  return h;
}

/// Where a store publishes: the part of the broker's interface the stores send to (the
/// broker_actor converts to it).
using change_sink_actor = caf::typed_actor<
  /// store: a handshake's snapshot; the broker encodes and sends the op 1 reply, then
  /// broadcasts to the session.
  caf::reacts_to<attach_atom, handshake_snapshot>,
  /// store: a committed change of a guild's settings (or an op 2 answer), to fan out.
  caf::reacts_to<publish_atom, settings_changed>,
  /// store: a supporter added or removed, to fan out.
  caf::reacts_to<publish_atom, supporter_changed>>;

/// The settings store. Reads answer from memory at once, never behind a write; a write is
/// answered once it is durable (committed), and only then published to the broker.
using settings_store_actor = caf::typed_actor<
  /// companion session: op 1 with the session's guilds; the store sends the broker a
  /// handshake_snapshot (attach_atom) and the broker sends the reply, then broadcasts.
  caf::reacts_to<handshake_atom, std::uint64_t, std::vector<std::uint64_t>>,
  /// companion session: op 2 for a guild; its settings go to every companion (publish).
  caf::reacts_to<guild_req_atom, std::uint64_t>,
  /// HTTP API, console: a guild's settings (its defaults when nothing is stored).
  caf::replies_to<settings_get_atom, std::uint64_t>::with<proto::guild_settings>,
  /// HTTP API: patch a guild's settings -> the committed settings, or store_failed.
  caf::replies_to<settings_set_atom, std::uint64_t, proto::admin::settings_patch>::with<
    proto::guild_settings>,
  /// HTTP API, gateway session: turn a guild's music on or off -> the committed settings.
  caf::replies_to<music_set_atom, std::uint64_t, bool>::with<proto::guild_settings>,
  /// HTTP API, console: the supporters.
  caf::replies_to<supporters_atom>::with<std::vector<std::uint64_t>>,
  /// HTTP API: add a supporter -> true when it was not one yet.
  caf::replies_to<supporter_add_atom, std::uint64_t>::with<bool>,
  /// HTTP API: remove a supporter -> true when it was one.
  caf::replies_to<supporter_del_atom, std::uint64_t>::with<bool>,
  /// console INFO: what the store holds.
  caf::replies_to<store_counts_atom>::with<store_counts>,
  /// console: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>>;

/// The SQLite store's writer (a detached actor: it blocks on fsync): it only commits, in
/// the order asked, and answers once a change is durable, or coord_errc::store_failed.
using settings_writer_actor = caf::typed_actor<
  /// settings store: commit a guild's settings -> true.
  caf::replies_to<store_save_atom, proto::guild_settings>::with<bool>,
  /// settings store: add a supporter -> true when it was not one yet.
  caf::replies_to<supporter_add_atom, std::uint64_t>::with<bool>,
  /// settings store: remove a supporter -> true when it was one.
  caf::replies_to<supporter_del_atom, std::uint64_t>::with<bool>,
  /// console: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>>;

/// The store of cluster mode: the settings store's interface, and what the cluster node and
/// the etcd client send it. Converts to settings_store_actor.
using etcd_store_actor = settings_store_actor::extend<
  /// the etcd client (through etcd_calls): the answer to call `id`.
  caf::reacts_to<cl_etcd_atom, std::uint64_t, ports::etcd_reply>,
  /// cluster node: this node won the election (leader key, its create revision): load the
  /// state and watch it -> the revision loaded.
  caf::replies_to<cl_activate_atom, std::string, std::int64_t>::with<std::int64_t>,
  /// cluster node: this node stood down: drop the state.
  caf::reacts_to<cl_deactivate_atom>,
  /// the etcd watch of generation `g`: a batch of events (JSON).
  caf::reacts_to<cl_watch_atom, std::uint64_t, std::string>,
  /// the etcd watch of generation `g`: etcd compacted past it (revision).
  caf::reacts_to<cl_compact_atom, std::uint64_t, std::int64_t>,
  /// itself: an acknowledgement waited ack_wait for the watch to reach a revision.
  caf::reacts_to<cl_tick_atom, std::int64_t>,
  /// itself, every 2 s while active: is the watch behind etcd?
  caf::reacts_to<cl_check_atom, std::uint64_t>>;

} // namespace coord::actors

