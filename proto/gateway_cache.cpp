#include "proto/gateway_cache.hpp"

#include "proto/snowflake.hpp"
#include "proto/timestamp.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <limits>
#include <string>
#include <type_traits>

namespace coord::proto::gateway {

namespace json = boost::json;

std::string_view to_string(cache_type t) noexcept {
  switch (t) {
    case cache_type::member:
      return "member";
    case cache_type::role:
      return "role";
    case cache_type::user:
      return "user";
    case cache_type::guild:
      return "guild";
    case cache_type::channel:
      return "channel";
    case cache_type::voice_state:
      return "voiceState";
  }
  return "unknown";
}

std::string_view to_string(ignore_reason r) noexcept {
  switch (r) {
    case ignore_reason::dm_channel:
      return "dm_channel";
  }
  return "unknown";
}

std::optional<cache_type> cache_type_from_string(std::string_view name) noexcept {
  for (auto t : {cache_type::member, cache_type::role, cache_type::user, cache_type::guild,
                 cache_type::channel, cache_type::voice_state})
    if (to_string(t) == name)
      return t;
  return std::nullopt;
}

namespace {

constexpr std::size_t no_index = static_cast<std::size_t>(-1);

/// Where a field sits in the payload; built on the stack, rendered only for an error reason.
struct path {
  const path* parent = nullptr;
  std::string_view name;
  std::size_t index = no_index; ///< set for an array element
};

void render(std::string& out, const path* p) {
  if (!p)
    return;
  render(out, p->parent);
  if (!out.empty())
    out.push_back('.');
  out.append(p->name);
  if (p->index != no_index) {
    out.push_back('[');
    out += std::to_string(p->index);
    out.push_back(']');
  }
}

decode_error field_error(std::string_view what, const path* at, std::string_view field) {
  std::string where;
  render(where, at);
  std::string reason{what};
  reason += where;
  if (!where.empty())
    reason.push_back('.');
  reason += field;
  return {errc::invalid_payload, std::move(reason)};
}

/// An integer JSON number (no fraction or exponent) that fits Int.
template <class Int>
std::optional<Int> integer_of(const json::value& v) noexcept {
  using limits = std::numeric_limits<Int>;
  if (const auto* i = v.if_int64()) {
    if constexpr (std::is_signed_v<Int>) {
      if (*i < static_cast<std::int64_t>(limits::min()) ||
          *i > static_cast<std::int64_t>(limits::max()))
        return std::nullopt;
    } else {
      if (*i < 0 || static_cast<std::uint64_t>(*i) > static_cast<std::uint64_t>(limits::max()))
        return std::nullopt;
    }
    return static_cast<Int>(*i);
  }
  if (const auto* u = v.if_uint64()) {
    if (*u > static_cast<std::uint64_t>(limits::max()))
      return std::nullopt;
    return static_cast<Int>(*u);
  }
  return std::nullopt;
}

/// Reads the fields of one object; a false return leaves the reason in error().
class reader {
public:
  reader(const json::object& o, const path* at) : o_{o}, at_{at} {}

  const json::value* find(std::string_view name) const { return o_.if_contains(name); }
  const path* at() const { return at_; }
  decode_error& error() { return error_; }

  bool missing(std::string_view name) {
    error_ = field_error("missing field ", at_, name);
    return false;
  }
  bool invalid(std::string_view name) {
    error_ = field_error("invalid field ", at_, name);
    return false;
  }
  /// An array element that is not an object.
  bool invalid_element(const path& element) {
    std::string where;
    render(where, &element);
    error_ = {errc::invalid_payload, "invalid field " + where};
    return false;
  }
  /// Adopts the error of a nested reader.
  bool fail(reader& nested) {
    error_ = std::move(nested.error_);
    return false;
  }

  /// A required snowflake (string or number).
  bool snowflake(std::string_view name, std::uint64_t& out) {
    const auto* v = find(name);
    if (!v)
      return missing(name);
    auto id = parse_snowflake(*v);
    if (!id)
      return invalid(name);
    out = *id;
    return true;
  }
  /// An optional snowflake: absent or null leaves out as it is.
  bool optional_snowflake(std::string_view name, std::uint64_t& out) {
    const auto* v = find(name);
    if (!v || v->is_null())
      return true;
    auto id = parse_snowflake(*v);
    if (!id)
      return invalid(name);
    out = *id;
    return true;
  }
  /// A guildID: required at the top level; inside a guild optional, but equal to the guild's.
  bool guild_id(const std::optional<std::uint64_t>& parent, std::uint64_t& out) {
    if (!parent)
      return snowflake("guildID", out);
    const auto* v = find("guildID");
    if (!v || v->is_null()) {
      out = *parent;
      return true;
    }
    auto id = parse_snowflake(*v);
    if (!id || *id != *parent)
      return invalid("guildID");
    out = *id;
    return true;
  }
  /// A required string.
  bool string(std::string_view name, compact_string& out) {
    const auto* v = find(name);
    if (!v)
      return missing(name);
    const auto* s = v->if_string();
    if (!s)
      return invalid(name);
    out = compact_string{std::string_view{s->data(), s->size()}};
    return true;
  }
  /// A string that may be null or absent (both: the null string, i.e. unknown).
  bool optional_string(std::string_view name, compact_string& out) {
    const auto* v = find(name);
    if (!v || v->is_null()) {
      out = compact_string{};
      return true;
    }
    return string(name, out);
  }
  bool boolean(std::string_view name, bool& out) {
    const auto* v = find(name);
    if (!v)
      return missing(name);
    const auto* b = v->if_bool();
    if (!b)
      return invalid(name);
    out = *b;
    return true;
  }
  /// A required integer that fits Int.
  template <class Int>
  bool integer(std::string_view name, Int& out) {
    const auto* v = find(name);
    if (!v)
      return missing(name);
    auto n = integer_of<Int>(*v);
    if (!n)
      return invalid(name);
    out = *n;
    return true;
  }
  /// A permission bit set: a non-negative integer, or its decimal string.
  bool bits(std::string_view name, std::uint64_t& out) { return snowflake(name, out); }

private:
  const json::object& o_;
  const path* at_;
  decode_error error_{errc::invalid_payload, {}};
};

/// The object at v, or an "invalid field" error naming it.
const json::object* object_field(reader& r, std::string_view name) {
  const auto* v = r.find(name);
  if (!v) {
    r.missing(name);
    return nullptr;
  }
  const auto* o = v->if_object();
  if (!o)
    r.invalid(name);
  return o;
}

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
  else if (auto n = integer_of<std::int64_t>(*joined); n && *n >= 0 && *n <= max_timestamp_ms)
    ms = n; // a JavaScript client may send Date.now()-style milliseconds
  if (!ms)
    return r.invalid("joinedAt");
  m.joined_at_ms = *ms;
  const auto* user_obj = object_field(r, "user");
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

bool decode_overwrite(reader& r, overwrite& out) {
  if (!r.snowflake("id", out.id))
    return false;
  const auto* type = r.find("type");
  if (!type)
    return r.missing("type");
  // The seed's "role" / "member", or Discord API v8+'s 0 / 1.
  if (const auto* s = type->if_string(); s && (*s == "role" || *s == "member"))
    out.member = *s == "member";
  else if (auto n = integer_of<std::uint8_t>(*type); n && *n <= 1)
    out.member = *n == 1;
  else
    return r.invalid("type");
  return r.bits("allow", out.allow) && r.bits("deny", out.deny);
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
    auto n = integer_of<std::uint32_t>(*v);
    if (!n)
      return r.invalid("userLimit");
    out.user_limit = *n;
    out.has_user_limit = true;
  }
  return r.optional_snowflake("parentID", out.parent_id);
}

/// A voice state; a null channelID sets channel_id 0 and skips the remaining fields.
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

result<cache_update> decode_removal(reader& r, cache_type type) {
  cache_removal out{type, 0, 0};
  bool ok = false;
  switch (type) {
    case cache_type::member:
      ok = r.snowflake("guildID", out.guild_id) && r.snowflake("id", out.id);
      break;
    case cache_type::voice_state:
      ok = r.snowflake("guildID", out.guild_id) && r.snowflake("userID", out.id);
      break;
    case cache_type::role:
    case cache_type::channel:
      ok = r.snowflake("id", out.id) && r.optional_snowflake("guildID", out.guild_id);
      break;
    case cache_type::user:
    case cache_type::guild:
      ok = r.snowflake("id", out.id);
      break;
  }
  if (!ok)
    return std::move(r.error());
  return cache_update{out};
}

} // namespace

result<cache_update> decode_cache(const json::value& d) {
  const auto* o = d.if_object();
  if (!o)
    return decode_error{errc::invalid_payload, "invalid field d"};
  reader r{*o, nullptr};
  const auto* type_value = r.find("type");
  if (!type_value)
    return decode_error{errc::invalid_payload, "missing field type"};
  const auto* type_name = type_value->if_string();
  if (!type_name)
    return decode_error{errc::invalid_payload, "invalid field type"};
  auto type = cache_type_from_string(std::string_view{type_name->data(), type_name->size()});
  if (!type)
    return decode_error{errc::invalid_payload, "unknown cache type"};
  if (const auto* deleted = r.find("deleted")) {
    const auto* b = deleted->if_bool();
    if (!b)
      return decode_error{errc::invalid_payload, "invalid field deleted"};
    if (*b)
      return decode_removal(r, *type);
  }
  const std::optional<std::uint64_t> top_level;
  bool ok = false;
  cache_update out;
  switch (*type) {
    case cache_type::member: {
      auto& m = out.emplace<member_update>();
      ok = decode_member(r, top_level, m.record, m.member_user);
      break;
    }
    case cache_type::role:
      ok = decode_role(r, top_level, out.emplace<role>());
      break;
    case cache_type::user:
      ok = decode_user(r, out.emplace<user>());
      break;
    case cache_type::guild:
      ok = decode_guild(r, out.emplace<guild_update>());
      break;
    case cache_type::channel: {
      // A DM channel has no guild: accepted and counted, never cached.
      const auto* guild = r.find("guildID");
      if (!guild || guild->is_null()) {
        std::uint64_t id = 0;
        if (!r.snowflake("id", id))
          return std::move(r.error());
        return cache_update{ignored_record{ignore_reason::dm_channel}};
      }
      ok = decode_channel(r, top_level, out.emplace<channel>());
      break;
    }
    case cache_type::voice_state: {
      auto& v = out.emplace<voice_state>();
      ok = decode_voice_state(r, top_level, v);
      if (ok && v.channel_id == 0)
        return cache_update{cache_removal{cache_type::voice_state, v.guild_id, v.user_id}};
      break;
    }
  }
  if (!ok)
    return std::move(r.error());
  return out;
}

} // namespace coord::proto::gateway
