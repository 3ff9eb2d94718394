// The coordinator's gateway frames as JSON text (SPEC.md §4): HELLO, heartbeats and the op 2
// events, written straight into one string. Decoding: gateway_codec.cpp, gateway_events.cpp.
#include "proto/gateway_codec.hpp"

#include "proto/json_text.hpp"

namespace coord::proto::gateway {

namespace {

/// `{"op":2,"t":"<name>","d":` — the start of every coordinator event.
void begin_event(std::string& out, event_type e) {
  out.append("{\"op\":2,\"t\":\"");
  out.append(to_string(e));
  out.append("\",\"d\":");
}

std::string encode_shard_list(event_type e, const std::vector<shard_id>& shards) {
  std::string out;
  out.reserve(48 + shards.size() * 11);
  begin_event(out, e);
  out.append("{\"shards\":");
  json_text::append_uint_array(out, shards);
  out.append("}}");
  return out;
}

std::string encode_supporter(event_type e, std::uint64_t supporter_id) {
  std::string out;
  out.reserve(80);
  begin_event(out, e);
  out.append("{\"supporterId\":");
  json_text::append_quoted_uint(out, supporter_id);
  out.append("}}");
  return out;
}

} // namespace

std::string encode_hello(std::uint64_t heartbeat_interval_ms) {
  std::string out;
  out.reserve(64);
  out.append("{\"op\":3,\"d\":{\"heartbeatInterval\":");
  json_text::append_uint(out, heartbeat_interval_ms);
  out.append("}}");
  return out;
}

std::string encode_heartbeat_request() {
  return "{\"op\":1,\"d\":{}}";
}

std::string encode_heartbeat_ack() {
  return "{\"op\":4,\"d\":{}}";
}

std::string encode_identified(service_type type, const std::vector<shard_id>& shards,
                              std::string_view session_id) {
  auto out = type == service_type::sharder
               ? encode_shard_list(event_type::identified, shards)
               : std::string{"{\"op\":2,\"t\":\"IDENTIFIED\",\"d\":{}}"};
  if (session_id.empty())
    return out;
  // The session id goes first in d, so the shard list stays as encode_shard_list wrote it.
  const auto d = out.find("\"d\":{") + 5;
  std::string id{"\"sessionId\":"};
  json_text::append_string(id, session_id);
  if (out[d] != '}')
    id.push_back(',');
  out.insert(d, id);
  return out;
}

std::string encode_shards_assigned(const std::vector<shard_id>& shards) {
  return encode_shard_list(event_type::shards_assigned, shards);
}

std::string encode_identify_granted(shard_id shard) {
  std::string out;
  out.reserve(64);
  begin_event(out, event_type::identify_granted);
  out.append("{\"shard\":");
  json_text::append_uint(out, shard);
  out.append("}}");
  return out;
}

std::string encode_execute_command(const execute_command& c) {
  // Fixed text ~120 bytes, 4 ids of up to 22 and a shard of up to 10; escapes are rare, so
  // a little slack usually saves the second allocation.
  std::string out;
  out.reserve(224 + c.command.size() + c.raw.size() + (c.raw.size() >> 4));
  begin_event(out, event_type::execute_command);
  out.append("{\"command\":");
  json_text::append_string(out, c.command);
  out.append(",\"raw\":");
  json_text::append_string(out, c.raw);
  out.append(",\"ids\":{\"message\":");
  json_text::append_quoted_uint(out, c.message_id);
  out.append(",\"author\":");
  json_text::append_quoted_uint(out, c.author_id);
  out.append(",\"channel\":");
  json_text::append_quoted_uint(out, c.channel_id);
  out.append(",\"guild\":");
  json_text::append_quoted_uint(out, c.guild_id);
  out.append(",\"shard\":");
  json_text::append_uint(out, c.shard);
  out.append("}}}");
  return out;
}

std::string encode_guild_settings_update(const guild_settings& g) {
  std::string out;
  const auto settings = admin::encode_settings(g); // same object as the admin API answers
  out.reserve(48 + settings.size());
  begin_event(out, event_type::guild_settings_update);
  out.append(settings);
  out.push_back('}');
  return out;
}

std::string encode_music_command_update(std::uint64_t guild_id, bool enable) {
  std::string out;
  out.reserve(96);
  begin_event(out, event_type::music_command_update);
  out.append("{\"guildId\":");
  json_text::append_quoted_uint(out, guild_id);
  out.append(",\"enable\":");
  json_text::append_bool(out, enable);
  out.append("}}");
  return out;
}

std::string encode_supporter_add(std::uint64_t supporter_id) {
  return encode_supporter(event_type::supporter_add, supporter_id);
}

std::string encode_supporter_remove(std::uint64_t supporter_id) {
  return encode_supporter(event_type::supporter_remove, supporter_id);
}

} // namespace coord::proto::gateway
