#include "proto/gateway_cache_json.hpp"

#include "proto/json_text.hpp"
#include "proto/timestamp.hpp"

namespace coord::proto::gateway {

std::string_view channel_type_name(std::uint8_t type) noexcept {
  switch (type) {
    case 0:
      return "text";
    case 1:
      return "dm";
    case 2:
      return "voice";
    case 3:
      return "groupdm";
    case 4:
      return "category";
    case 5:
      return "news";
    case 6:
      return "store";
    case 10:
      return "news_thread";
    case 11:
      return "public_thread";
    case 12:
      return "private_thread";
    case 13:
      return "stage";
    case 14:
      return "directory";
    case 15:
      return "forum";
    case 16:
      return "media";
    default:
      return "unknown";
  }
}

namespace {

/// A quoted snowflake, or null for 0.
void append_id_or_null(std::string& out, std::uint64_t id) {
  if (id == 0)
    out.append("null");
  else
    json_text::append_quoted_uint(out, id);
}

void append_nullable(std::string& out, const compact_string& s) {
  if (s.is_null())
    out.append("null");
  else
    json_text::append_string(out, s.view());
}

} // namespace

void append_json(std::string& out, const user& u) {
  out.append("{\"id\":");
  json_text::append_quoted_uint(out, u.id);
  out.append(",\"username\":");
  json_text::append_string(out, u.username.view());
  out.append(",\"discriminator\":");
  json_text::append_string(out, u.discriminator());
  out.append(",\"avatar\":");
  append_nullable(out, u.avatar);
  out.append(",\"bot\":");
  json_text::append_bool(out, u.bot);
  out.push_back('}');
}

void append_json(std::string& out, const member& m, const user* u) {
  out.append("{\"id\":");
  json_text::append_quoted_uint(out, m.id);
  out.append(",\"guildID\":");
  json_text::append_quoted_uint(out, m.guild_id);
  out.append(",\"nickname\":");
  append_nullable(out, m.nickname);
  out.append(",\"roles\":");
  if (m.roles.is_null()) {
    out.append("null");
  } else {
    json_text::append_uint_array(out, m.roles, true);
  }
  out.append(",\"joinedAt\":");
  if (m.joined_at_ms == unknown_time)
    out.append("null");
  else
    append_timestamp(out, m.joined_at_ms);
  if (u) {
    out.append(",\"user\":");
    append_json(out, *u);
  }
  out.push_back('}');
}

void append_json(std::string& out, const role& r) {
  out.append("{\"id\":");
  json_text::append_quoted_uint(out, r.id);
  out.append(",\"guildID\":");
  json_text::append_quoted_uint(out, r.guild_id);
  out.append(",\"name\":");
  json_text::append_string(out, r.name.view());
  out.append(",\"color\":");
  json_text::append_uint(out, r.color);
  out.append(",\"position\":");
  json_text::append_int(out, r.position);
  out.append(",\"permissions\":");
  json_text::append_uint(out, r.permissions);
  out.push_back('}');
}

void append_json(std::string& out, const channel& c) {
  out.append("{\"id\":");
  json_text::append_quoted_uint(out, c.id);
  out.append(",\"guildID\":");
  json_text::append_quoted_uint(out, c.guild_id);
  out.append(",\"type\":");
  if (c.has_type)
    json_text::append_string(out, channel_type_name(c.type));
  else
    out.append("null"); // never invented (SPEC §4.7)
  out.append(",\"position\":");
  json_text::append_int(out, c.position);
  out.append(",\"name\":");
  json_text::append_string(out, c.name.view());
  out.append(",\"nsfw\":");
  json_text::append_bool(out, c.nsfw);
  out.append(",\"overwrites\":");
  if (c.overwrites.is_null())
    out.append("null");
  else
    out.push_back('[');
  for (std::size_t i = 0; i < c.overwrites.size(); ++i) {
    const auto& o = c.overwrites[i];
    out.append(i == 0 ? "{\"id\":" : ",{\"id\":");
    json_text::append_quoted_uint(out, o.id);
    out.append(o.member ? ",\"type\":\"member\",\"allow\":" : ",\"type\":\"role\",\"allow\":");
    json_text::append_uint(out, o.allow);
    out.append(",\"deny\":");
    json_text::append_uint(out, o.deny);
    out.push_back('}');
  }
  if (!c.overwrites.is_null())
    out.push_back(']');
  out.append(",\"userLimit\":");
  if (c.has_user_limit)
    json_text::append_uint(out, c.user_limit);
  else
    out.append("null");
  out.append(",\"parentID\":");
  append_id_or_null(out, c.parent_id);
  out.push_back('}');
}

void append_json(std::string& out, const voice_state& v) {
  out.append("{\"guildID\":");
  json_text::append_quoted_uint(out, v.guild_id);
  out.append(",\"channelID\":");
  append_id_or_null(out, v.channel_id);
  out.append(",\"userID\":");
  json_text::append_quoted_uint(out, v.user_id);
  out.append(",\"deaf\":");
  json_text::append_bool(out, v.deaf);
  out.append(",\"mute\":");
  json_text::append_bool(out, v.mute);
  out.append(",\"selfDeaf\":");
  json_text::append_bool(out, v.self_deaf);
  out.append(",\"selfMute\":");
  json_text::append_bool(out, v.self_mute);
  out.push_back('}');
}

void append_json(std::string& out, const guild& g) {
  out.append("{\"id\":");
  json_text::append_quoted_uint(out, g.id);
  out.append(",\"name\":");
  json_text::append_string(out, g.name.view());
  out.append(",\"icon\":");
  append_nullable(out, g.icon);
  out.append(",\"ownerID\":");
  json_text::append_quoted_uint(out, g.owner_id);
  out.append(",\"region\":");
  append_nullable(out, g.region);
  out.append(",\"memberCount\":");
  if (g.has_member_count)
    json_text::append_uint(out, g.member_count);
  else
    out.append("null");
  out.push_back('}');
}

} // namespace coord::proto::gateway
