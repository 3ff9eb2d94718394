#pragma once
// The guild settings store (SPEC.md §3 op 1/op 2, §6 admin API): one interface, two
// implementations (settings_store on SQLite, etcd_store in cluster mode).

#include "proto/admin_codec.hpp"
#include "proto/guild_settings.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <string>

namespace coord::actors {

/// session -> store: companion op 1 (std::uint64_t session, std::vector<std::uint64_t> guilds).
using handshake_atom = caf::atom_constant<caf::atom("cd_hshake")>;
/// session -> store: companion op 2 (std::uint64_t guild).
using guild_req_atom = caf::atom_constant<caf::atom("cd_greq")>;
/// -> store: read settings (std::uint64_t guild) -> guild_settings.
using settings_get_atom = caf::atom_constant<caf::atom("cd_sget")>;
/// -> store: patch settings (std::uint64_t guild, settings_patch) -> guild_settings.
using settings_set_atom = caf::atom_constant<caf::atom("cd_sset")>;
/// -> store: music toggle (std::uint64_t guild, bool enable) -> guild_settings.
using music_set_atom = caf::atom_constant<caf::atom("cd_music")>;
/// -> store: list supporters -> std::vector<std::uint64_t>.
using supporters_atom = caf::atom_constant<caf::atom("cd_sups")>;
/// -> store: add a supporter (std::uint64_t) -> bool added.
using supporter_add_atom = caf::atom_constant<caf::atom("cd_supadd")>;
/// -> store: remove a supporter (std::uint64_t) -> bool removed.
using supporter_del_atom = caf::atom_constant<caf::atom("cd_supdel")>;

/// -> store: what it holds -> store_counts.
using store_counts_atom = caf::atom_constant<caf::atom("cd_scount")>;

/// What the settings store holds.
struct store_counts {
  std::string path;
  std::size_t guilds = 0; ///< guilds with stored settings
  std::size_t supporters = 0;
};

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::guild_settings)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::admin::settings_patch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::store_counts)
