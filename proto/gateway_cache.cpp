// Op 5 (SPEC.md §4.7): the cache type names and decode_cache, which reads `d.type` and
// `deleted` and hands the record to its decoder in gateway_cache_records.cpp.
#include "proto/gateway_cache.hpp"

#include "proto/gateway_cache_reader.hpp"

#include <boost/json/object.hpp>

#include <utility>

namespace coord::proto::gateway {

namespace json = boost::json;
using namespace cache_reading;

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
