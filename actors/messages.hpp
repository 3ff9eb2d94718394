#pragma once
// Every atom, message type and handle the actors exchange (STYLE.md rule 5).
// CAF 0.17 atoms are at most 10 characters and collide by text with CAF's own (`get`,
// `join`, `tick`...), so every atom here starts with "cd_".

#include "net/connection.hpp"
#include "proto/admin_codec.hpp"
#include "proto/guild_settings.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace coord::actors {

// -- atoms --------------------------------------------------------------------

/// net -> session: one websocket message (std::string data, bool binary).
using frame_atom = caf::atom_constant<caf::atom("cd_frame")>;
/// net -> session: a pong arrived.
using pong_atom = caf::atom_constant<caf::atom("cd_pong")>;
/// net -> session: the connection ended (std::uint16_t code).
using closed_atom = caf::atom_constant<caf::atom("cd_closed")>;

/// -> broker: a session opened (session_handle).
using register_atom = caf::atom_constant<caf::atom("cd_reg")>;
/// -> broker: a session ended (std::uint64_t id).
using unregister_atom = caf::atom_constant<caf::atom("cd_unreg")>;
/// store -> broker: send the op 1 reply, then start broadcasting to the session.
using attach_atom = caf::atom_constant<caf::atom("cd_attach")>;
/// -> broker: fan a broadcast_msg out.
using broadcast_atom = caf::atom_constant<caf::atom("cd_bcast")>;
/// -> broker: list the sessions (returns std::vector<session_info>).
using sessions_atom = caf::atom_constant<caf::atom("cd_sess")>;
/// -> broker: close one session (std::uint64_t id, std::uint16_t code) -> bool found.
using kick_atom = caf::atom_constant<caf::atom("cd_kick")>;
/// -> broker: close every session (std::uint16_t code, std::string reason).
using close_all_atom = caf::atom_constant<caf::atom("cd_clsall")>;

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

/// session -> stats: companion op 5 (std::uint64_t session, std::int64_t shard,
/// std::int64_t playing).
using music_stats_atom = caf::atom_constant<caf::atom("cd_mstat")>;
/// session -> stats: the session ended, forget its shards (std::uint64_t session).
using forget_atom = caf::atom_constant<caf::atom("cd_forget")>;
/// stats -> stats: a report may have gone stale (std::int64_t shard, std::uint64_t seq).
using expire_atom = caf::atom_constant<caf::atom("cd_expire")>;
/// -> stats: the music snapshot -> music_snapshot.
using music_get_atom = caf::atom_constant<caf::atom("cd_mget")>;

/// net -> http_api: one HTTP request (net::http_request, http_responder_ptr).
using http_atom = caf::atom_constant<caf::atom("cd_http")>;

// -- message types ------------------------------------------------------------

using connection_ptr = std::shared_ptr<net::connection>;
using http_responder_ptr = std::shared_ptr<net::http_responder>;

/// A session as the broker holds it.
struct session_handle {
  connection_ptr conn;
  caf::actor actor;
};

/// One line of the session list.
struct session_info {
  std::uint64_t id = 0;
  net::dialect dialect = net::dialect::companion;
  std::string remote;
  std::size_t queued_bytes = 0;
  bool receiving = false; ///< handshaken and receiving broadcasts
};

/// A change to send to many sessions, encoded once per wire form before it is sent.
struct broadcast_msg {
  net::buffer companion; ///< for every handshaken companion session; null: none
  /// When the change was triggered (for coordinator_broadcast_seconds).
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

/// One shard's latest op 5.
struct shard_music {
  std::int64_t shard_id = 0;
  std::int64_t playing_music = 0;
  std::int64_t updated_at_ms = 0; ///< unix time in milliseconds
};

/// What GET /api/v1/stats shows of music.
struct music_snapshot {
  std::int64_t playing = 0;
  std::vector<shard_music> shards; ///< ascending by shard id
};

/// Errors the actors answer with (category atom "coord").
enum class coord_errc : std::uint8_t {
  store_failed = 1, ///< the transaction did not commit; nothing changed
  not_found,
};

/// Wraps a coord_errc into a caf::error with the category "coord".
caf::error make_coord_error(coord_errc code, std::string what);

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::connection_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::http_responder_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_handle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::session_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::broadcast_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::music_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::net::buffer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::net::http_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::guild_settings)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::admin::settings_patch)
