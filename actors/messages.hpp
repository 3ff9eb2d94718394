#pragma once
// Every atom, message type and handle the actors exchange (STYLE.md rule 5).
// CAF 0.17 atoms are at most 10 characters and collide by text with CAF's own (`get`,
// `join`, `tick`...), so every atom here starts with "cd_".

#include "net/connection.hpp"
#include "net/console_server.hpp"
#include "proto/admin_codec.hpp"
#include "proto/gateway_codec.hpp"
#include "proto/guild_settings.hpp"
#include "proto/voice_client.hpp"

#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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
/// stats -> stats: the one sweep timer; drops the reports that have gone stale.
using expire_atom = caf::atom_constant<caf::atom("cd_expire")>;
/// -> stats: the music snapshot -> music_snapshot.
using music_get_atom = caf::atom_constant<caf::atom("cd_mget")>;

/// net -> http_api: one HTTP request (net::http_request, http_responder_ptr).
using http_atom = caf::atom_constant<caf::atom("cd_http")>;
/// http_api -> dashboard: answer GET /api/v1/dashboard (http_responder_ptr) with the
/// latest snapshot (SPEC.md §10).
using dashboard_atom = caf::atom_constant<caf::atom("cd_dash")>;

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
  /// connected, or resumable: a gateway session whose connection ended, kept for a RESUME
  std::string state = "connected";
  std::string remote;
  std::size_t queued_bytes = 0;
  bool receiving = false; ///< handshaken and receiving broadcasts
  std::uint64_t messages_in = 0;  ///< messages received from the peer
  std::uint64_t messages_out = 0; ///< messages written to the peer
  // Identified gateway sessions (SPEC §4.9); zero for the others.
  bool replays = false;            ///< an identified gateway session: the fields below apply
  std::uint64_t last_s = 0;        ///< the last `s` sent or buffered for it
  std::size_t replay_events = 0;   ///< frames in its replay buffer
  std::size_t replay_bytes = 0;    ///< their wire bytes
  std::int64_t resumable_in_ms = -1; ///< resumable: time left to resume; -1: connected
};

/// A change to send to many sessions, encoded once per wire form before it is sent.
struct broadcast_msg {
  net::buffer companion; ///< for every handshaken companion session; null: none
  /// For every identified sharder, commands and dashboard session (JSON text; the broker
  /// deflates it once for the compressed ones); null: none.
  net::buffer gateway;
  /// When the change was triggered, read from the producing actor's clock
  /// (`self->clock().now()`); the broker observes its own clock's now minus this in
  /// coordinator_broadcast_seconds. Both clocks are the actor system's one steady clock, so
  /// the difference is real latency across threads (docs/decisions.md "One source of time").
  caf::actor_clock::time_point started{};
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
  unavailable, ///< cluster mode: etcd unreachable or this node not active; nothing changed
};

/// Wraps a coord_errc into a caf::error with the category "coord".
caf::error make_coord_error(coord_errc code, std::string what);

} // namespace coord::actors

namespace coord::actors {

// -- voice dialect ------------------------------------------------------------
// Heartbeat monitor (any dialect), voice registry and voice sessions (SPEC.md §5).

/// -> monitor: watch a session (std::uint64_t id, caf::actor session, caf::timespan
/// warn_after (0: no warning), caf::timespan close_after). Watching an id again replaces it.
using hb_watch_atom = caf::atom_constant<caf::atom("cd_hbwatch")>;
/// -> monitor: the session showed life (std::uint64_t id); both deadlines restart now.
using hb_touch_atom = caf::atom_constant<caf::atom("cd_hbtouch")>;
/// -> monitor: forget a session (std::uint64_t id).
using hb_unwatch_atom = caf::atom_constant<caf::atom("cd_hbunwat")>;
/// monitor -> monitor: check the deadlines.
using hb_tick_atom = caf::atom_constant<caf::atom("cd_hbtick")>;
/// monitor -> session: warn_after passed without a touch (sent once per silence).
using hb_warn_atom = caf::atom_constant<caf::atom("cd_hbwarn")>;
/// monitor -> session: close_after passed without a touch; the monitor forgot the session.
using hb_expired_atom = caf::atom_constant<caf::atom("cd_hbexp")>;

/// session -> registry: claim a key (std::string key, std::uint64_t conn, caf::actor session)
/// -> voice_claim. A live older owner is sent vc_takeover_atom.
using vc_claim_atom = caf::atom_constant<caf::atom("cd_vclaim")>;
/// session -> registry: the connection ended (std::string key, std::uint64_t conn); if conn
/// still owns the key, its voice clients are kept for voice.vc_timeout_s.
using vc_release_atom = caf::atom_constant<caf::atom("cd_vrel")>;
/// session -> registry: create or update a voice client (std::string key, std::uint64_t conn,
/// proto::voice::voice_client); ignored unless conn owns the key.
using vc_set_atom = caf::atom_constant<caf::atom("cd_vset")>;
/// session -> registry: destroy a voice client (std::string key, std::uint64_t conn,
/// std::uint64_t guild); ignored unless conn owns the key.
using vc_del_atom = caf::atom_constant<caf::atom("cd_vdel")>;
/// registry -> registry: a retained key's timeout (std::string key, std::uint64_t generation).
using vc_expire_atom = caf::atom_constant<caf::atom("cd_vexpire")>;
/// -> registry: counts for STATUS -> proto::voice::status_info.
using vc_status_atom = caf::atom_constant<caf::atom("cd_vstatus")>;
/// -> registry: every key -> std::vector<voice_session_info> (console, admin API).
using vc_list_atom = caf::atom_constant<caf::atom("cd_vlist")>;
/// registry -> session: a newer connection claimed your key; close with 4010.
using vc_takeover_atom = caf::atom_constant<caf::atom("cd_vtakeov")>;

/// The registry's answer to a claim.
struct voice_claim {
  bool resumed = false; ///< the key existed (retained, or live and now taken over)
  std::vector<proto::voice::voice_client> clients; ///< ascending by guild id
};

/// One key of the voice registry, for inspection.
struct voice_session_info {
  std::string key;
  bool live = false;        ///< a connection owns it; false: retained until the timeout
  std::uint64_t owner = 0;  ///< the owning connection's session id when live
  std::vector<proto::voice::voice_client> clients;
};

} // namespace coord::actors

namespace coord::actors {

// -- shard planner ------------------------------------------------------------
// Shard ownership, the release delay and identify scheduling (SPEC.md §4.5). Shard ids are
// proto::gateway::shard_id (std::uint32_t); sessions are net session ids.

/// gateway session -> planner: a sharder identified (std::uint64_t session, caf::actor target,
/// std::vector<std::uint32_t> requested; empty: no d.shards) -> std::vector<std::uint32_t>,
/// its shards ascending (IDENTIFIED d.shards). SHARDS_ASSIGNED and IDENTIFY_GRANTED go to
/// `target` later; the planner monitors it, and its death ends the session like shard_end.
using shard_identify_atom = caf::atom_constant<caf::atom("cd_shident")>;
/// gateway session -> planner: IDENTIFY_REQUEST (std::uint64_t session, std::uint32_t shard);
/// ignored and counted unless the session owns the shard and is not already waiting for it.
using identify_request_atom = caf::atom_constant<caf::atom("cd_idreq")>;
/// gateway session -> planner: the sharder's session ended (std::uint64_t session): its
/// shards are held for gateway.shard_release_s and its waiting identify requests dropped.
/// (With a caf::actor: only when that actor still serves the session — a connection a RESUME
/// took over must not end the session that lives on in a newer one.)
using shard_end_atom = caf::atom_constant<caf::atom("cd_shend")>;
/// planner -> session target: SHARDS_ASSIGNED (std::vector<std::uint32_t> full new list).
using shards_assigned_atom = caf::atom_constant<caf::atom("cd_shasgn")>;
/// planner -> session target: IDENTIFY_GRANTED (std::uint32_t shard).
using identify_granted_atom = caf::atom_constant<caf::atom("cd_idgrant")>;
/// planner -> planner: a hold's release delay passed (std::uint64_t hold).
using shard_release_atom = caf::atom_constant<caf::atom("cd_shrel")>;
/// planner -> planner: a bucket may grant (caf::timespan due, since the actor clock's epoch).
using identify_tick_atom = caf::atom_constant<caf::atom("cd_idtick")>;
/// -> planner: the plan for GET /api/v1/shards and the console -> shard_plan.
using shard_plan_atom = caf::atom_constant<caf::atom("cd_shplan")>;

/// What a shard is doing.
enum class shard_status : std::uint8_t { owned, held, free };

/// One shard of the plan.
struct shard_plan_entry {
  std::uint32_t shard = 0;
  shard_status status = shard_status::free;
  std::uint64_t owner = 0;        ///< owned: the owning session; held: the ended one; free: 0
  std::int64_t release_in_ms = 0; ///< held: until it returns to the pool; otherwise 0
};

/// One connected sharder of the plan.
struct sharder_plan {
  std::uint64_t session = 0;
  std::vector<std::uint32_t> shards; ///< ascending
};

/// A waiting IDENTIFY_REQUEST.
struct identify_wait {
  std::uint64_t session = 0;
  std::uint32_t shard = 0;
};

/// One identify bucket (`shard % max_concurrency`).
struct identify_bucket_plan {
  std::uint32_t bucket = 0;
  std::vector<identify_wait> waiting; ///< request order
  std::int64_t next_grant_in_ms = 0;  ///< until the bucket may grant again; 0: now
};

/// What GET /api/v1/shards and the console show.
struct shard_plan {
  std::uint32_t shard_count = 0;
  std::uint32_t sharders = 0; ///< gateway.sharders, as configured
  std::uint32_t share = 0;    ///< ceil(shard_count / sharders)
  std::uint32_t max_concurrency = 1;
  std::int64_t release_delay_ms = 0;
  std::vector<shard_plan_entry> shards;      ///< ascending by shard id
  std::vector<sharder_plan> sessions;        ///< oldest identify first
  std::vector<identify_bucket_plan> buckets; ///< ascending by bucket
  std::uint64_t grants = 0;           ///< IDENTIFY_GRANTED sent
  std::uint64_t ignored_requests = 0; ///< IDENTIFY_REQUESTs not owned or already waiting
};

} // namespace coord::actors

namespace coord::actors {

// -- console ------------------------------------------------------------------
// The debug console (SPEC.md §8): net/ hands lines to the inspector, which asks the other
// actors what they hold.

/// net -> inspector: one console line (std::string line, console_reply_ptr).
using console_atom = caf::atom_constant<caf::atom("cd_console")>;
/// -> a well-known or session actor: describe yourself -> actor_summary.
using inspect_atom = caf::atom_constant<caf::atom("cd_inspect")>;
/// -> broker: one session (std::uint64_t id) -> session_ref, or coord_errc::not_found.
using session_find_atom = caf::atom_constant<caf::atom("cd_sfind")>;
/// -> broker: every session with its actor -> std::vector<session_ref>.
using session_refs_atom = caf::atom_constant<caf::atom("cd_srefs")>;
/// -> store: what it holds -> store_counts.
using store_counts_atom = caf::atom_constant<caf::atom("cd_scount")>;

using console_reply_ptr = std::shared_ptr<net::console_reply>;

/// What an actor says about itself, as ordered key/value pairs ("state" -> "identified").
using summary_fields = std::vector<std::pair<std::string, std::string>>;

/// An actor's answer to inspect_atom.
struct actor_summary {
  std::string name;        ///< the state's `name`
  std::uint64_t id = 0;    ///< the actor id
  std::size_t mailbox = 0; ///< messages waiting in its mailbox
  summary_fields fields;
  bool answered = true; ///< false: made up by the asker, name and id only (no mailbox)
};

/// One session and the actor behind it.
struct session_ref {
  session_info info;
  caf::actor actor;
};

/// What the settings store holds.
struct store_counts {
  std::string path;
  std::size_t guilds = 0; ///< guilds with stored settings
  std::size_t supporters = 0;
};

/// The summary of `self`; call it only inside one of `self`'s handlers (an actor may read
/// only its own mailbox).
actor_summary summarize(caf::scheduled_actor* self, summary_fields fields);

/// The deepest mailbox an actor has seen in its hot handlers (broadcast, routing, op 2), shown
/// by `actors` as `mailbox_peak`: whether a burst queues up behind one actor (bench/ S3, S4).
struct mailbox_watermark {
  std::size_t peak = 0;
  /// Call inside one of `self`'s handlers; O(1). Counts what CAF has taken into the actor's
  /// queue (it looks again every few messages), so it trails the newest arrivals slightly.
  void sample(caf::scheduled_actor* self);
};

} // namespace coord::actors

namespace coord::actors {

// -- entity cache -------------------------------------------------------------
// The op 5 cache (SPEC.md §4.7) in partitions, one actor each (entity_cache.hpp), and what the
// read API (§4.8, read_api.hpp) asks them. Guild-scoped records live in partition
// `(guild_id >> 22) % partitions`, users in `(user_id >> 22) % partitions`. Unknown ids are
// answered with coord_errc::not_found.

/// gateway session -> partition: one decoded op 5 record (proto::gateway::cache_update), sent
/// by cache_ingest.
using cache_put_atom = caf::atom_constant<caf::atom("cd_cput")>;
/// partition -> a user's partition: what member changes did to users
/// (std::vector<cache_user_delta>).
using cache_users_atom = caf::atom_constant<caf::atom("cd_cusers")>;
/// -> partition, once after spawning: every partition, by index (std::vector<caf::actor>).
using cache_peers_atom = caf::atom_constant<caf::atom("cd_cpeers")>;
/// -> partition: (std::uint64_t guild) -> proto::gateway::guild.
using cache_guild_atom = caf::atom_constant<caf::atom("cd_cguild")>;
/// -> partition: remove one record (std::uint8_t proto::gateway::cache_type, std::uint64_t
/// guild, std::uint64_t id) -> bool, true when it was cached. A guild (id = guild) goes with
/// everything under it; id is the member's, role's, channel's or voice state's user id.
using cache_drop_atom = caf::atom_constant<caf::atom("cd_cdrop")>;
/// -> partition: (std::uint64_t guild) -> std::vector<proto::gateway::channel> by position.
using cache_channels_atom = caf::atom_constant<caf::atom("cd_cchans")>;
/// -> partition: (std::uint64_t guild, std::uint64_t channel) -> proto::gateway::channel.
using cache_channel_atom = caf::atom_constant<caf::atom("cd_cchan")>;
/// -> partition: the voice states in a channel (std::uint64_t guild, std::uint64_t channel)
/// -> std::vector<proto::gateway::voice_state> by user id; not_found when neither the channel
/// nor a voice state in it is cached.
using cache_in_voice_atom = caf::atom_constant<caf::atom("cd_cinvc")>;
/// -> partition: (std::uint64_t guild, std::uint64_t user) -> proto::gateway::voice_state.
using cache_voice_atom = caf::atom_constant<caf::atom("cd_cvoice")>;
/// -> partition: (std::uint64_t guild, std::uint64_t member) -> proto::gateway::member (its
/// user lives in the user's partition).
using cache_member_atom = caf::atom_constant<caf::atom("cd_cmember")>;
/// -> partition: (std::uint64_t guild) -> std::vector<proto::gateway::role> by position.
using cache_roles_atom = caf::atom_constant<caf::atom("cd_croles")>;
/// -> partition: (std::uint64_t guild, std::uint64_t role) -> proto::gateway::role.
using cache_role_atom = caf::atom_constant<caf::atom("cd_crole")>;
/// -> the user's partition: (std::uint64_t user) -> proto::gateway::user.
using cache_user_atom = caf::atom_constant<caf::atom("cd_cuser")>;
/// -> partition: what it holds -> cache_counts (console snapshot, GET /discord/users).
using cache_counts_atom = caf::atom_constant<caf::atom("cd_ccount")>;
/// -> broker: the identified gateway sessions -> std::vector<service_info> (GET /services).
using services_atom = caf::atom_constant<caf::atom("cd_svcs")>;

/// What a member change owes its user, sent to the user's partition.
struct cache_user_delta {
  proto::gateway::user record; ///< record.id names the user; the data only when has_record
  bool has_record = false;
  std::int32_t refs = 0; ///< cached members pointing at the user: +1 added, -1 removed
};

/// What one partition holds.
struct cache_counts {
  std::uint32_t partition = 0;
  /// Records per type: member, role, user, guild, channel, voiceState (cache_type order).
  std::array<std::uint64_t, 6> entities{};
};

/// One identified gateway session as GET /services shows it.
struct service_info {
  std::uint64_t id = 0; ///< the session id
  proto::gateway::service_type type = proto::gateway::service_type::sharder;
  std::uint64_t heap_used = 0;     ///< heapUsed of the last heartbeat
  std::int64_t start_time_ms = 0;  ///< when it identified, unix milliseconds
  std::optional<std::vector<std::uint32_t>> shards; ///< sharders: the shards it holds
  std::optional<std::uint64_t> guilds; ///< sharders: guilds of the last heartbeat, if any
};

} // namespace coord::actors

// -- gateway dialect ----------------------------------------------------------
// Gateway sessions and the broker (SPEC.md §4.6, §4.8).

namespace coord::actors {

/// gateway session -> broker: identify succeeded (std::uint64_t session, std::uint8_t
/// proto::gateway::service_type, bool compress, std::vector<std::uint32_t> shards); the broker
/// sends IDENTIFIED (with a new sessionId and `s`).
using gw_ident_atom = caf::atom_constant<caf::atom("cd_gwident")>;
/// gateway session -> broker: send one op 2 event of its own (std::uint64_t session,
/// std::string payload without `s`): numbered, buffered for replay, compressed when asked.
using gw_send_atom = caf::atom_constant<caf::atom("cd_gwsend")>;
/// gateway session -> broker: its connection ended (std::uint64_t session, std::uint64_t
/// connection, std::uint16_t close code): resumable or ended (SPEC §4.9).
using gw_gone_atom = caf::atom_constant<caf::atom("cd_gwgone")>;
/// gateway session -> broker: it closes for a protocol error (4001-4006): the session ends
/// with its connection, not resumable (std::uint64_t session).
using gw_end_atom = caf::atom_constant<caf::atom("cd_gwend")>;
/// gateway session -> broker: RESUME (std::string sessionId, std::uint64_t seq,
/// std::uint64_t connection, caf::actor session actor) -> resume_answer. On success the
/// broker has replayed the frames after seq and sent RESUMED.
using gw_resume_atom = caf::atom_constant<caf::atom("cd_gwresum")>;
/// broker -> the session actor of a connection a RESUME took over: skip the cleanup, the
/// session lives on in the new connection.
using gw_taken_atom = caf::atom_constant<caf::atom("cd_gwtaken")>;
/// broker -> broker: a resumable session's command grace ended (std::uint64_t session,
/// std::uint64_t generation).
using gw_grace_atom = caf::atom_constant<caf::atom("cd_gwgrace")>;
/// broker -> broker: a resumable session's window ended (std::uint64_t session,
/// std::uint64_t generation).
using gw_expire_atom = caf::atom_constant<caf::atom("cd_gwexpir")>;

/// The broker's answer to a RESUME.
struct resume_answer {
  bool ok = false;          ///< false: INVALID_SESSION
  std::uint64_t session = 0; ///< the resumed session's id (its first connection's)
  std::uint8_t type = 0;    ///< proto::gateway::service_type
  bool compress = false;
  std::vector<std::uint32_t> shards; ///< a sharder's shards before it went away
};
/// gateway session -> broker: a heartbeat's data (std::uint64_t session, std::uint64_t
/// heap_used, std::int64_t guilds or -1).
using gw_hb_atom = caf::atom_constant<caf::atom("cd_gwhb")>;
/// gateway session -> broker: the shards a sharder holds now (std::uint64_t session,
/// std::vector<std::uint32_t>).
using gw_shards_atom = caf::atom_constant<caf::atom("cd_gwshard")>;
/// gateway session -> broker: route one EXECUTE_COMMAND (std::uint64_t guild, std::string
/// payload).
using route_atom = caf::atom_constant<caf::atom("cd_route")>;
/// broker -> broker: drop expired queued commands.
using backlog_tick_atom = caf::atom_constant<caf::atom("cd_bltick")>;

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::connection_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::http_responder_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_handle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::resume_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::session_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::broadcast_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::music_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::net::buffer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::net::http_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::guild_settings)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::admin::settings_patch)
// -- voice dialect --
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::voice_claim)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::voice_session_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::voice_session_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::voice::voice_client)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::voice::status_info)
// -- shard planner --
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::shard_plan)
// -- console --
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::console_reply_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::actor_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::session_ref>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::store_counts)
// -- entity cache --
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::cache_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::guild)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::member)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::role)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::user)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::channel)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::voice_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::proto::gateway::role>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::proto::gateway::channel>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::proto::gateway::voice_state>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::cache_user_delta>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::cache_counts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::service_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::service_info>)
