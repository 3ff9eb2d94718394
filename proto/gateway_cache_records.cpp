// The records of an op 5 payload (SPEC.md §4.7, the seed's tables), one decoder each, read
// with cache_reading::reader. The payload's type and removals: gateway_cache.cpp.
#include "proto/gateway_cache_reader.hpp"

#include "proto/snowflake.hpp"
#include "proto/timestamp.hpp"

#include <boost/json/array.hpp>

#include <utility>
#include <vector>

namespace coord::proto::gateway::cache_reading {

namespace {

/// Decodes each element of the array field `name` with decode(reader&, element&).
template <class Record, class Decode>
bool decode_list(reader& r, std::string_view name, bool required, std::vector<Record>& out,
                 bool& present, Decode&& decode) {
  const auto* v = r.find(name);
  if (!v || (!required && v->is_null()))
    return required ? r.missing(name) : true;
  const auto* arr = v->if_array();
  if (!arr)
    return r.invalid(name);
  present = true;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const path at{r.at(), name, i};
    const auto* o = (*arr)[i].if_object();
    if (!o)
      return r.invalid_element(at);
    reader nested{*o, &at};
    if (!decode(nested, out.emplace_back()))
      return r.fail(nested);
  }
  return true;
}

/// One permission overwrite of a channel's `overwrites`.
bool decode_overwrite(reader& r, overwrite& out) {
  if (!r.snowflake("id", out.id))
    return false;
  const auto* type = r.find("type");
  if (!type)
    return r.missing("type");
  // The seed's "role" / "member", or Discord API v8+'s 0 / 1.
  if (const auto* s = type->if_string(); s && (*s == "role" || *s == "member"))
    out.member = *s == "member";
  else if (auto n = json_fields::integer<std::uint8_t>(*type); n && *n <= 1)
    out.member = *n == 1;
  else
    return r.invalid("type");
  return r.bits("allow", out.allow) && r.bits("deny", out.deny);
}

} // namespace

bool decode_user(reader& r, user& u) {
  if (!r.snowflake("id", u.id) || !r.string("username", u.username))
    return false;
  const auto* v = r.find("discriminator");
  if (!v)
    return r.missing("discriminator");
  const auto* s = v->if_string();
  if (!s || s->empty() || s->size() > u.discriminator_chars.size())
    return r.invalid("discriminator");
  for (std::size_t i = 0; i < s->size(); ++i) {
    const char c = (*s)[i];
    if (c < '0' || c > '9')
      return r.invalid("discriminator");
    u.discriminator_chars[i] = c;
  }
  u.discriminator_length = static_cast<std::uint8_t>(s->size());
  return r.optional_string("avatar", u.avatar) && r.boolean("bot", u.bot);
}

bool decode_member(reader& r, const std::optional<std::uint64_t>& parent, member& m, user& u) {
  if (!r.snowflake("id", m.id) || !r.guild_id(parent, m.guild_id) ||
      !r.optional_string("nickname", m.nickname))
    return false;
  const auto* roles = r.find("roles");
  if (!roles || roles->is_null()) {
    m.roles = compact_array<std::uint64_t>::null();
  } else {
    const auto* arr = roles->if_array();
    if (!arr)
      return r.invalid("roles");
    compact_array<std::uint64_t> ids{arr->size()};
    for (std::size_t i = 0; i < arr->size(); ++i) {
      auto id = parse_snowflake((*arr)[i]);
      if (!id)
        return r.invalid("roles");
      ids.data()[i] = *id;
    }
    m.roles = std::move(ids);
  }
  const auto* joined = r.find("joinedAt");
  std::optional<std::int64_t> ms;
  if (!joined || joined->is_null())
    ms = unknown_time; // a member update: Discord sends no joined_at there
  else if (const auto* s = joined->if_string())
    ms = parse_timestamp(std::string_view{s->data(), s->size()});
  else if (auto n = json_fields::integer<std::int64_t>(*joined);
           n && *n >= 0 && *n <= max_timestamp_ms)
    ms = n; // a JavaScript client may send Date.now()-style milliseconds
  if (!ms)
    return r.invalid("joinedAt");
  m.joined_at_ms = *ms;
  const auto* user_obj = r.object("user");
  if (!user_obj)
    return false;
  const path at{r.at(), "user"};
  reader nested{*user_obj, &at};
  return decode_user(nested, u) || r.fail(nested);
}

bool decode_role(reader& r, const std::optional<std::uint64_t>& parent, role& out) {
  return r.snowflake("id", out.id) && r.guild_id(parent, out.guild_id) &&
         r.string("name", out.name) && r.integer("color", out.color) &&
         r.integer("position", out.position) && r.bits("permissions", out.permissions);
}

bool decode_channel(reader& r, const std::optional<std::uint64_t>& parent, channel& out) {
  if (!r.snowflake("id", out.id) || !r.guild_id(parent, out.guild_id))
    return false;
  if (parent) {
    if (!r.integer("type", out.type))
      return false;
  } else if (const auto* v = r.find("channelType"); v && !v->is_null()) {
    if (!r.integer("channelType", out.type))
      return false;
  } else {
    out.has_type = false; // `type` is d.type here; the cache keeps what it knows
  }
  if (!r.integer("position", out.position) || !r.string("name", out.name) ||
      !r.boolean("nsfw", out.nsfw))
    return false;
  out.overwrites = compact_array<overwrite>::null();
  if (const auto* v = r.find("overwrites"); v && !v->is_null()) {
    const auto* arr = v->if_array();
    if (!arr)
      return r.invalid("overwrites");
    compact_array<overwrite> list{arr->size()};
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const path at{r.at(), "overwrites", i};
      const auto* o = (*arr)[i].if_object();
      if (!o)
        return r.invalid_element(at);
      reader nested{*o, &at};
      if (!decode_overwrite(nested, list.data()[i]))
        return r.fail(nested);
    }
    out.overwrites = std::move(list);
  }
  if (const auto* v = r.find("userLimit"); v && !v->is_null()) {
    auto n = json_fields::integer<std::uint32_t>(*v);
    if (!n)
      return r.invalid("userLimit");
    out.user_limit = *n;
    out.has_user_limit = true;
  }
  return r.optional_snowflake("parentID", out.parent_id);
}

bool decode_voice_state(reader& r, const std::optional<std::uint64_t>& parent, voice_state& out) {
  if (!r.guild_id(parent, out.guild_id))
    return false;
  const auto* channel = r.find("channelID");
  if (!channel)
    return r.missing("channelID");
  const bool left = channel->is_null();
  if (!left && !r.snowflake("channelID", out.channel_id))
    return false;
  if (!r.snowflake("userID", out.user_id))
    return false;
  if (left)
    return true;
  return r.boolean("deaf", out.deaf) && r.boolean("mute", out.mute) &&
         r.boolean("selfDeaf", out.self_deaf) && r.boolean("selfMute", out.self_mute);
}

bool decode_guild(reader& r, guild_update& g) {
  auto& rec = g.record;
  if (!r.snowflake("id", rec.id) || !r.string("name", rec.name) ||
      !r.optional_string("icon", rec.icon) || !r.snowflake("ownerID", rec.owner_id) ||
      !r.optional_string("region", rec.region))
    return false;
  const std::optional<std::uint64_t> parent{rec.id};
  if (!decode_list(r, "roles", false, g.roles, g.has_roles,
                   [&](reader& n, role& out) { return decode_role(n, parent, out); }))
    return false;
  if (const auto* count = r.find("memberCount"); !count || count->is_null())
    rec.has_member_count = false;
  else if (!r.integer("memberCount", rec.member_count))
    return false;
  if (const auto* members = r.find("members"); members && members->is_array())
    g.users.reserve(members->get_array().size());
  if (!decode_list(r, "members", false, g.members, g.has_members, [&](reader& n, member& out) {
        return decode_member(n, parent, out, g.users.emplace_back());
      }))
    return false;
  if (!decode_list(r, "voiceStates", false, g.voice_states, g.has_voice_states,
                   [&](reader& n, voice_state& out) { return decode_voice_state(n, parent, out); }))
    return false;
  return decode_list(r, "channels", false, g.channels, g.has_channels,
                     [&](reader& n, channel& out) { return decode_channel(n, parent, out); });
}

} // namespace coord::proto::gateway::cache_reading
