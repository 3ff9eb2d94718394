#pragma once
// Voice session dialect (SPEC.md §5, seed voice-node-connection.rst): client frames to typed
// messages, typed replies to JSON text. Payload {op:string, d}; voice writes snowflakes as
// decimal strings.

#include "proto/errors.hpp"
#include "proto/voice_client.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace coord::proto::voice {

/// Op names of the voice dialect, as on the wire.
namespace op {
inline constexpr std::string_view hello = "HELLO";
inline constexpr std::string_view forbidden = "FORBIDDEN";
inline constexpr std::string_view heartbeat = "HEARTBEAT";
inline constexpr std::string_view heartbeat_ack = "HEARTBEAT_ACK";
inline constexpr std::string_view identify = "IDENTIFY";
inline constexpr std::string_view identified = "IDENTIFIED";
inline constexpr std::string_view resumed = "RESUMED";
inline constexpr std::string_view discord_event = "DISCORD_EVENT";
inline constexpr std::string_view vc_created = "VC_CREATED";
inline constexpr std::string_view vc_channel_edited = "VC_CHANNEL_EDITED";
inline constexpr std::string_view vc_destroy = "VC_DESTROY";
inline constexpr std::string_view vc_destroyed = "VC_DESTROYED";
inline constexpr std::string_view get_state = "getState";
inline constexpr std::string_view get_queue = "getQueue";
inline constexpr std::string_view get_status = "GET_STATUS";
inline constexpr std::string_view status = "STATUS";
} // namespace op

/// `HEARTBEAT {d}`: d is echoed as sent.
struct heartbeat {
  std::string d_text; ///< the JSON text of d exactly as sent ("null" when absent)
};

/// `IDENTIFY {user_id, shard_id}`.
struct identify {
  std::uint64_t user_id = 0;
  std::optional<std::uint64_t> shard_id; ///< null or absent: none

  /// The session key of SPEC §5: "user_id", or "user_id-shard_id" with a shard.
  std::string key() const;
};

/// `DISCORD_EVENT {t:"VOICE_STATE_UPDATE", d}`.
struct voice_state_update {
  std::uint64_t user_id = 0;
  std::uint64_t guild_id = 0;
  std::optional<std::uint64_t> channel_id; ///< null: left voice
};

/// `DISCORD_EVENT {t:"VOICE_SERVER_UPDATE", d}`.
struct voice_server_update {
  std::uint64_t guild_id = 0;
  std::string token;
  std::optional<std::string> endpoint; ///< null: the voice server went away
};

/// Any other `DISCORD_EVENT` (t missing, null or another event): nothing to do.
struct other_event {
  std::string t; ///< empty when t was not a string
};

/// `VC_DESTROY {guild_id}`.
struct vc_destroy {
  std::uint64_t guild_id = 0;
  std::string guild_text; ///< guild_id's JSON text as sent (echoed in an error reply)
};

/// `getState {guild_id}`.
struct get_state {
  std::uint64_t guild_id = 0;
  std::string guild_text; ///< guild_id's JSON text as sent
};

/// `getQueue {guild_id}`.
struct get_queue {
  std::uint64_t guild_id = 0;
  std::string guild_text; ///< guild_id's JSON text as sent
};

/// `GET_STATUS`.
struct get_status {};

/// Any op the coordinator does not serve (discodo's player ops: requestSubtitle, setVolume,
/// ...): ignored and counted, except that one naming a guild without a voice client gets the
/// VoiceClientNotFound error, which the clients route by its guild_id.
struct unknown_op {
  std::string op;
  std::optional<std::uint64_t> guild_id; ///< d.guild_id, when d names a guild
  std::string guild_text;                ///< its JSON text as sent
};

/// Any client message.
using client_message =
  std::variant<heartbeat, identify, voice_state_update, voice_server_update, other_event,
               vc_destroy, get_state, get_queue, get_status, unknown_op>;

/// The form of RESUMED's voice_clients (voice.resumed_form).
enum class resumed_form : std::uint8_t {
  /// {"<guild_id>":{"id":"<voice client id>","channel":"<channel id>"|null}}: what the
  /// original node sends and its client libraries (discodo, discodo.js) parse. The default.
  map,
  /// [["<guild_id>","<channel id>"|null],...]: the seed document's form.
  pairs,
};

/// A parsed frame: JSON is valid and an object; `d` not yet checked.
struct envelope {
  bool has_op = false;   ///< false: `op` missing or not a string (ignored and counted)
  std::string op;        ///< the op as sent
  boost::json::value d;  ///< null when absent
  std::string d_text;    ///< raw JSON text of d, only for HEARTBEAT ("null" when absent)
};

/// True for the ops served before IDENTIFY: HEARTBEAT, IDENTIFY, GET_STATUS.
bool allowed_before_identify(std::string_view op) noexcept;

/// Step 1: not JSON, or a JSON value that is not an object -> invalid_json ("invalid json").
/// An object without a string `op` is an envelope with has_op false, not an error.
result<envelope> open(std::string_view text);

/// Step 2 (after the caller's identify check): the fields of `d`. A missing or mistyped
/// field of a served op -> invalid_payload naming it; an op not served -> unknown_op.
result<client_message> decode(const envelope& env);

/// {"op":"HELLO","d":{"version":"<v>","heartbeat_interval":15.0}}.
std::string encode_hello(std::string_view version, double heartbeat_interval_s);

/// {"op":"HEARTBEAT_ACK","d":<d_text>}; d_text must be JSON text (from open()).
std::string encode_heartbeat_ack(std::string_view d_text);

/// {"op":"FORBIDDEN","d":"<reason>"}.
std::string encode_forbidden(std::string_view reason);

/// {"op":"IDENTIFIED","d":"ClientManager initialized."}.
std::string encode_identified();

/// {"op":"RESUMED","d":{"voice_clients":{"<guild_id>":{"id":"..","channel":".."|null},...}}}
/// (map), or {"op":"RESUMED","d":{"voice_clients":[["<guild_id>","<channel_id>"|null],...]}}
/// (pairs).
std::string encode_resumed(const std::vector<voice_client>& clients,
                           resumed_form form = resumed_form::map);

/// {"op":"<op>","d":{"traceback":{"<name>":"<text>"}}}: the seed's error reply.
std::string encode_traceback(std::string_view op, std::string_view name, std::string_view text);

/// The traceback for a second IDENTIFY.
std::string encode_already_identified();

/// The traceback for `op` before IDENTIFY.
std::string encode_not_identified(std::string_view op);

/// The traceback for `op` naming a guild without a voice client, with the request's guild_id
/// (`guild_text`: its JSON text as the client sent it; empty: none):
/// {"op":"<op>","d":{"traceback":{"VoiceClientNotFound":"..."},"guild_id":<guild_text>}}.
std::string encode_voice_client_not_found(std::string_view op, std::string_view guild_text);

/// {"op":"VC_CREATED","d":{"guild_id":"..","id":"..","channel_id":".."|null}}.
std::string encode_vc_created(const voice_client& vc);

/// {"op":"VC_CHANNEL_EDITED","d":{"guild_id":"..","channel_id":".."|null}}.
std::string encode_vc_channel_edited(std::uint64_t guild_id,
                                     std::optional<std::uint64_t> channel_id);

/// {"op":"VC_DESTROYED","d":{"guild_id":".."}}.
std::string encode_vc_destroyed(std::uint64_t guild_id);

/// {"op":"getState","d":{...}} with every field the original node sends: id, guild_id,
/// channel_id, state (1: stopped; this node plays no audio), current (null), duration,
/// position, remain (null while nothing plays), remainQueue (0), options (the original's
/// defaults: autoplay true, volume 1.0, crossfade 10.0, filter {}), context ({}).
std::string encode_state(const voice_client& vc);

/// {"op":"getQueue","d":{"guild_id":"..","entries":[]}}.
std::string encode_queue(std::uint64_t guild_id);

/// {"op":"STATUS","d":{"sessions":n,"retained_sessions":n,"voice_clients":n,"uptime":s}}.
std::string encode_status(const status_info& s);

/// A double as Python's json writes it for finite values (15.0, 0.25, 1e+16); non-finite
/// values are written as 0.0 so the output is always JSON.
void append_double(std::string& out, double v);

} // namespace coord::proto::voice
