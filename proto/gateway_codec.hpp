#pragma once
// Service gateway dialect (SPEC.md §4): client frames to typed messages, coordinator messages
// to JSON text. The gateway writes snowflakes as decimal strings and accepts strings or
// numbers (SPEC §2), EXECUTE_COMMAND's ids included. Cache records: gateway_cache.hpp.

#include "proto/admin_codec.hpp"
#include "proto/errors.hpp"
#include "proto/gateway_cache.hpp"
#include "proto/gateway_resume.hpp"
#include "proto/guild_settings.hpp"
#include "proto/settings_patch.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace coord::proto::gateway {

/// Opcodes of the gateway dialect (SPEC §4.1).
namespace op {
constexpr int identify = 0;      ///< client ->
constexpr int heartbeat = 1;     ///< both; from the coordinator with d:{} it is a request
constexpr int event = 2;         ///< both, with `t`
constexpr int hello = 3;         ///< -> client
constexpr int heartbeat_ack = 4; ///< -> client
constexpr int cache = 5;         ///< client ->
constexpr int resume = 6;        ///< client -> (SPEC §4.9)
} // namespace op

/// A shard id (Discord's are small; anything past 2^32-1 is refused).
using shard_id = std::uint32_t;

/// The kind of service a session identified as.
enum class service_type : std::uint8_t { sharder, commands, dashboard, panel, feeds };

/// The wire name: "sharder", "commands", "dashboard", "panel", "feeds".
std::string_view to_string(service_type t) noexcept;

/// The type for a wire name (case-sensitive); nullopt for anything else.
std::optional<service_type> service_type_from_string(std::string_view name) noexcept;

/// The events of op 2 (SPEC §4.6).
enum class event_type : std::uint8_t {
  identified,
  execute_command,
  shards_assigned,
  identify_granted,
  identify_request,
  guild_settings_update,
  music_command_update,
  supporter_add,
  supporter_remove,
};

/// The wire name, e.g. "EXECUTE_COMMAND".
std::string_view to_string(event_type e) noexcept;

/// The event for a wire name (case-sensitive); nullopt for anything else.
std::optional<event_type> event_type_from_string(std::string_view name) noexcept;

/// SPEC §4.6's "from" column: may a service of this type send event e? EXECUTE_COMMAND and
/// IDENTIFY_REQUEST: sharder; GUILD_SETTINGS_UPDATE and MUSIC_COMMAND_UPDATE: commands,
/// dashboard, panel; SUPPORTER_ADD/REMOVE: dashboard, panel; the coordinator's own events
/// (IDENTIFIED, SHARDS_ASSIGNED, IDENTIFY_GRANTED): nobody.
bool may_send(service_type from, event_type e) noexcept;

/// A parsed frame whose envelope passed; `d` and `t` not yet checked.
struct frame {
  int op = 0;             ///< 0..6
  boost::json::value d;   ///< any JSON value; the decoders want an object
  boost::json::value t;   ///< null when absent; only op 2 reads it
};

/// Step 1: invalid JSON -> invalid_json ("invalid json"); not an object, `op` missing or not
/// an integer, or `d` missing -> invalid_payload; an integer op outside 0..6 -> unknown_opcode.
/// The session then applies its state checks (SPEC §4.1) before a decode_* call.
result<frame> open(std::string_view text);

/// op 0 `d`.
struct identify {
  service_type type = service_type::sharder;
  bool compress = false;
  std::optional<std::vector<shard_id>> shards; ///< as sent (order and duplicates kept)
};

/// op 0, in SPEC §4.3's order (the caller checks "already identified" first): `d` not an
/// object, `type` not one of the five -> invalid_payload; `compress` not a boolean ->
/// invalid_payload; `secret` missing, not a string or unequal (secure_equals) -> auth_failed
/// ("invalid secret"); `shards` (optional, null = absent) not an array of integers in
/// 0..2^32-1 -> invalid_payload.
result<identify> decode_identify(const frame& f, std::string_view expected_secret);

/// op 1 `d`: numbers are non-negative; a fraction is dropped.
struct heartbeat {
  std::uint64_t heap_used = 0;
  std::optional<std::uint64_t> guilds; ///< always set for a sharder
};

/// op 1: `heapUsed` a non-negative number; `guilds` likewise, required when sender is a
/// sharder (before identify the type is unknown: pass nullopt and it is optional) and checked
/// whenever present. Anything else wrong -> invalid_payload.
result<heartbeat> decode_heartbeat(const frame& f, std::optional<service_type> sender);

/// EXECUTE_COMMAND `d`: only these fields are kept and forwarded.
struct execute_command {
  std::string command;
  std::string raw;
  std::uint64_t message_id = 0;
  std::uint64_t author_id = 0;
  std::uint64_t channel_id = 0;
  std::uint64_t guild_id = 0;
  shard_id shard = 0;

  friend bool operator==(const execute_command& a, const execute_command& b) {
    return a.command == b.command && a.raw == b.raw && a.message_id == b.message_id &&
           a.author_id == b.author_id && a.channel_id == b.channel_id &&
           a.guild_id == b.guild_id && a.shard == b.shard;
  }
};

/// IDENTIFY_REQUEST `d`: a sharder asks to identify one shard with Discord.
struct identify_request {
  shard_id shard = 0;
};

/// GUILD_SETTINGS_UPDATE `d`: guildId plus any of the settings, read by the admin PATCH's rule
/// (read_setting: prefix 1..2000 bytes; ids snowflakes, null = 0; musicEnabled bool). Apply
/// with apply (settings_patch.hpp).
struct guild_settings_update {
  std::uint64_t guild_id = 0;
  settings_patch patch;
};

/// MUSIC_COMMAND_UPDATE `d`.
struct music_command_update {
  std::uint64_t guild_id = 0;
  bool enable = false;
};

/// SUPPORTER_ADD `d`.
struct supporter_add {
  std::uint64_t supporter_id = 0;
};

/// SUPPORTER_REMOVE `d`.
struct supporter_remove {
  std::uint64_t supporter_id = 0;
};

/// An event a client may send.
using client_event = std::variant<execute_command, identify_request, guild_settings_update,
                                  music_command_update, supporter_add, supporter_remove>;

/// The event an op 2 frame names: `t` missing or not a string, or an unknown name ->
/// invalid_payload ("unknown event").
result<event_type> event_of(const frame& f);

/// op 2, in this order: event_of; may_send(sender, t) else not_allowed ("event not allowed");
/// then the fields (invalid_payload naming the field, e.g. "invalid field ids.guild").
/// Unknown fields are ignored (and never forwarded).
result<client_event> decode_event(const frame& f, service_type sender);

/// What decode() needs to know about the session.
struct session_view {
  std::optional<service_type> identified_as; ///< nullopt until identify succeeded
  std::string_view secret;                   ///< gateway.secret
};

/// Any client frame, decoded.
using client_message = std::variant<identify, heartbeat, client_event, cache_update, resume>;

/// All of SPEC §4's checks after open(), in order: op 0 or 6 when identified ->
/// already_identified; op 6: decode_resume; any op but 0, 1 or 6 before identify ->
/// not_identified ("identify first"); ops 3 and 4 (sent
/// only by the coordinator) -> unknown_opcode; then decode_identify / decode_heartbeat /
/// decode_event / decode_cache.
result<client_message> decode(const frame& f, const session_view& session);

/// HELLO: {"op":3,"d":{"heartbeatInterval":N}}.
std::string encode_hello(std::uint64_t heartbeat_interval_ms);

/// A heartbeat request: {"op":1,"d":{}}.
std::string encode_heartbeat_request();

/// HEARTBEAT_ACK: {"op":4,"d":{}}.
std::string encode_heartbeat_ack();

/// IDENTIFIED: d {"sessionId":"..","shards":[..]} for a sharder, {"sessionId":".."} for any
/// other type (shards ignored); no sessionId when `session_id` is empty.
std::string encode_identified(service_type type, const std::vector<shard_id>& shards,
                              std::string_view session_id = {});

/// SHARDS_ASSIGNED: d {"shards":[..]} (the sharder's full new list).
std::string encode_shards_assigned(const std::vector<shard_id>& shards);

/// IDENTIFY_GRANTED: d {"shard":N}.
std::string encode_identify_granted(shard_id shard);

/// EXECUTE_COMMAND: d {"command","raw","ids":{"message","author","channel","guild","shard"}},
/// ids as strings, shard a number. The routing hot path: one allocation.
std::string encode_execute_command(const execute_command& c);

/// GUILD_SETTINGS_UPDATE: d {"guildId","prefix","djRoleId","voiceChannelId",
/// "musicChannelId","musicEnabled"}, ids as strings (0 = not set).
std::string encode_guild_settings_update(const guild_settings& g);

/// MUSIC_COMMAND_UPDATE: d {"guildId":"..","enable":bool}.
std::string encode_music_command_update(std::uint64_t guild_id, bool enable);

/// SUPPORTER_ADD: d {"supporterId":".."}.
std::string encode_supporter_add(std::uint64_t supporter_id);

/// SUPPORTER_REMOVE: d {"supporterId":".."}.
std::string encode_supporter_remove(std::uint64_t supporter_id);

} // namespace coord::proto::gateway
