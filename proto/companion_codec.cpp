#include "proto/companion_codec.hpp"

#include "proto/json_fields.hpp"
#include "proto/json_text.hpp"
#include "proto/secure_compare.hpp"
#include "proto/snowflake.hpp"

#include <boost/json/value.hpp>

#include <utility>

namespace coord::proto::companion {

namespace {

result<client_message> decode_handshake(const boost::json::object& body) {
  auto arr = json_fields::array(body, "guildIds");
  if (!arr)
    return arr.error();
  handshake h;
  h.guild_ids.reserve((*arr)->size());
  for (const auto& item : **arr) {
    auto id = parse_snowflake(item);
    if (!id)
      return invalid_field("guildIds");
    h.guild_ids.push_back(*id);
  }
  return client_message{std::move(h)};
}

result<client_message> decode_guild_request(const boost::json::object& body) {
  auto id = json_fields::snowflake(body, "guildId");
  if (!id)
    return id.error();
  return client_message{guild_request{*id}};
}

result<client_message> decode_music_stats(const boost::json::object& body) {
  music_stats m;
  for (auto [name, out] : {std::pair{"shardId", &m.shard_id},
                           std::pair{"playingMusic", &m.playing_music}}) {
    // A non-negative integer that fits int64 (no doubles, strings or negatives).
    auto n = json_fields::integer<std::int64_t>(body, name);
    if (!n)
      return n.error();
    if (*n < 0)
      return invalid_field(name);
    *out = *n;
  }
  return client_message{m};
}

/// The fields of a settings object, without braces, in SPEC §3's order.
void append_settings_fields(std::string& out, const guild_settings& g) {
  out.append("\"guildId\":");
  json_text::append_uint(out, g.guild_id);
  out.append(",\"prefix\":");
  json_text::append_string(out, g.prefix);
  out.append(",\"djRoleId\":");
  json_text::append_uint(out, g.dj_role_id);
  out.append(",\"voiceChannelId\":");
  json_text::append_uint(out, g.voice_channel_id);
  out.append(",\"musicChannelId\":");
  json_text::append_uint(out, g.music_channel_id);
}

/// Bytes of one settings object apart from the prefix: 5 ids of up to 20 digits plus keys.
constexpr std::size_t settings_overhead = 96 + 5 * 20;

std::string encode_supporter(int op_code, std::uint64_t supporter_id) {
  std::string out;
  out.reserve(48);
  out.append("{\"op\":");
  json_text::append_uint(out, static_cast<std::uint64_t>(op_code));
  out.append(",\"supporterId\":");
  json_text::append_uint(out, supporter_id);
  out.push_back('}');
  return out;
}

} // namespace

result<envelope> open(std::string_view text, std::string_view expected_key) {
  auto parsed = json_fields::parse(text);
  if (!parsed)
    return parsed.error();
  auto* obj = parsed->if_object();
  if (!obj)
    return decode_error{errc::auth_failed, "invalid key"};
  const auto* key_value = obj->if_contains("key");
  const auto* key = key_value ? key_value->if_string() : nullptr;
  if (!key || expected_key.empty() ||
      !secure_equals(std::string_view{key->data(), key->size()}, expected_key))
    return decode_error{errc::auth_failed, "invalid key"};
  const auto* op_value = obj->if_contains("op");
  if (!op_value)
    return missing_field("op");
  std::int64_t op_code = 0;
  if (const auto* i = op_value->if_int64())
    op_code = *i;
  else if (op_value->is_uint64())
    op_code = -1; // an integer, just not one of ours
  else
    return invalid_field("op");
  if (op_code != op::handshake && op_code != op::guild_settings && op_code != op::music_stats)
    return decode_error{errc::unknown_opcode, "unknown opcode"};
  // The secret has done its job; keep it out of anything that logs or forwards the body.
  obj->erase("key");
  return envelope{static_cast<int>(op_code), std::move(*obj)};
}

result<client_message> decode(const envelope& env) {
  switch (env.op) {
    case op::handshake:
      return decode_handshake(env.body);
    case op::guild_settings:
      return decode_guild_request(env.body);
    case op::music_stats:
      return decode_music_stats(env.body);
    default:
      return decode_error{errc::unknown_opcode, "unknown opcode"};
  }
}

std::string encode_handshake_reply(const std::vector<std::uint64_t>& supporter_ids,
                                   const std::vector<guild_settings>& guilds) {
  std::size_t size = 48 + supporter_ids.size() * 21;
  for (const auto& g : guilds)
    size += settings_overhead + g.prefix.size();
  std::string out;
  out.reserve(size);
  out.append("{\"op\":1,\"supporterIds\":");
  json_text::append_uint_array(out, supporter_ids);
  out.append(",\"guilds\":[");
  for (std::size_t i = 0; i < guilds.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    out.push_back('{');
    append_settings_fields(out, guilds[i]);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

std::string encode_guild_settings(const guild_settings& g) {
  std::string out;
  out.reserve(16 + settings_overhead + g.prefix.size());
  out.append("{\"op\":2,");
  append_settings_fields(out, g);
  out.push_back('}');
  return out;
}

std::string encode_music_toggle(std::uint64_t guild_id, bool enable) {
  std::string out;
  out.reserve(56);
  out.append("{\"op\":3,\"guildId\":");
  json_text::append_uint(out, guild_id);
  out.append(",\"enable\":");
  json_text::append_bool(out, enable);
  out.push_back('}');
  return out;
}

std::string encode_supporter_added(std::uint64_t supporter_id) {
  return encode_supporter(op::supporter_added, supporter_id);
}

std::string encode_supporter_removed(std::uint64_t supporter_id) {
  return encode_supporter(op::supporter_removed, supporter_id);
}

} // namespace coord::proto::companion
