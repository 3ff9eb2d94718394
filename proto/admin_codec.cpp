#include "proto/admin_codec.hpp"

#include "proto/json_fields.hpp"
#include "proto/json_text.hpp"

#include <boost/json/value.hpp>

namespace coord::proto::admin {

namespace {

/// Field names echoed in a reason are cut here: the reason ends up in an HTTP body.
constexpr std::size_t max_echoed_name = 64;

decode_error bad(std::string reason) {
  return {errc::invalid_payload, std::move(reason)};
}

decode_error unknown(std::string_view field) {
  return bad("unknown field " + std::string{field.substr(0, max_echoed_name)});
}

/// Parses a body that must be a JSON object.
result<boost::json::object> parse_object(std::string_view body) {
  auto parsed = json_fields::parse(body);
  if (!parsed)
    return parsed.error();
  auto* obj = parsed->if_object();
  if (!obj)
    return bad("body must be a JSON object");
  return std::move(*obj);
}

} // namespace

result<settings_patch> decode_settings_patch(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj)
    return obj.error();
  settings_patch patch;
  for (const auto& [key, value] : *obj) {
    const std::string_view name{key.data(), key.size()};
    auto known = read_setting(patch, name, value);
    if (!known)
      return known.error();
    // guildId is accepted and ignored: the path names the guild.
    if (!*known && name != "guildId")
      return unknown(name);
  }
  return patch;
}

result<bool> decode_music_toggle(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj)
    return obj.error();
  std::optional<bool> enable;
  for (const auto& [key, value] : *obj) {
    const std::string_view name{key.data(), key.size()};
    if (name == "enable") {
      const auto* b = value.if_bool();
      if (!b)
        return invalid_field(name);
      enable = *b;
    } else if (name != "guildId") {
      return unknown(name);
    }
  }
  if (!enable)
    return bad("missing field enable");
  return *enable;
}

std::string encode_settings(const guild_settings& g) {
  std::string out;
  out.reserve(200 + g.prefix.size());
  out.append("{\"guildId\":");
  json_text::append_quoted_uint(out, g.guild_id);
  out.append(",\"prefix\":");
  json_text::append_string(out, g.prefix);
  out.append(",\"djRoleId\":");
  json_text::append_quoted_uint(out, g.dj_role_id);
  out.append(",\"voiceChannelId\":");
  json_text::append_quoted_uint(out, g.voice_channel_id);
  out.append(",\"musicChannelId\":");
  json_text::append_quoted_uint(out, g.music_channel_id);
  out.append(",\"musicEnabled\":");
  json_text::append_bool(out, g.music_enabled);
  out.push_back('}');
  return out;
}

std::string encode_supporters(const std::vector<std::uint64_t>& supporter_ids) {
  std::string out;
  out.reserve(20 + supporter_ids.size() * 23);
  out.append("{\"supporterIds\":");
  json_text::append_uint_array(out, supporter_ids, true);
  out.push_back('}');
  return out;
}

std::string encode_error(std::string_view message) {
  std::string out;
  out.reserve(12 + message.size());
  out.append("{\"error\":");
  json_text::append_string(out, message);
  out.push_back('}');
  return out;
}

} // namespace coord::proto::admin
