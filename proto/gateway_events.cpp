// The gateway's op 2 events from a client (SPEC.md §4.6): event_of and decode_event, one decoder
// per event. The frame, identify and heartbeat: gateway_codec.cpp; encoders: gateway_encode.cpp.
#include "proto/gateway_codec.hpp"

#include "proto/json_fields.hpp"
#include "proto/settings_patch.hpp"

#include <tuple>
#include <utility>

namespace coord::proto::gateway {

namespace json = boost::json;

namespace {

result<client_event> decode_execute_command(const json::object& d) {
  execute_command c;
  for (auto [name, out] : {std::pair{"command", &c.command}, std::pair{"raw", &c.raw}}) {
    auto s = json_fields::string(d, name);
    if (!s)
      return s.error();
    out->assign(s->data(), s->size());
  }
  auto ids_field = json_fields::object(d, "ids");
  if (!ids_field)
    return ids_field.error();
  const auto* ids = *ids_field;
  for (auto [name, path, out] : {std::tuple{"message", "ids.message", &c.message_id},
                                 std::tuple{"author", "ids.author", &c.author_id},
                                 std::tuple{"channel", "ids.channel", &c.channel_id},
                                 std::tuple{"guild", "ids.guild", &c.guild_id}}) {
    auto id = json_fields::snowflake(*ids, name, path);
    if (!id)
      return id.error();
    *out = *id;
  }
  auto shard = json_fields::integer<shard_id>(*ids, "shard", "ids.shard");
  if (!shard)
    return shard.error();
  c.shard = *shard;
  return client_event{std::move(c)};
}

result<client_event> decode_identify_request(const json::object& d) {
  auto shard = json_fields::integer<shard_id>(d, "shard");
  if (!shard)
    return shard.error();
  return client_event{identify_request{*shard}};
}

result<client_event> decode_guild_settings_update(const json::object& d) {
  guild_settings_update u;
  auto guild = json_fields::snowflake(d, "guildId");
  if (!guild)
    return guild.error();
  u.guild_id = *guild;
  // The admin PATCH's rule, field by field in settings_fields' order; unknown fields ignored.
  for (auto name : settings_fields)
    if (const auto* v = d.if_contains(name))
      if (auto read = read_setting(u.patch, name, *v); !read)
        return read.error();
  return client_event{std::move(u)};
}

result<client_event> decode_music_command_update(const json::object& d) {
  music_command_update m;
  auto guild = json_fields::snowflake(d, "guildId");
  if (!guild)
    return guild.error();
  m.guild_id = *guild;
  auto enable = json_fields::boolean(d, "enable");
  if (!enable)
    return enable.error();
  m.enable = *enable;
  return client_event{m};
}

template <class Event>
result<client_event> decode_supporter(const json::object& d) {
  auto id = json_fields::snowflake(d, "supporterId");
  if (!id)
    return id.error();
  return client_event{Event{*id}};
}

} // namespace

result<event_type> event_of(const frame& f) {
  if (f.t.is_null())
    return missing_field("t");
  const auto* name = f.t.if_string();
  if (!name)
    return invalid_field("t");
  auto e = event_type_from_string(std::string_view{name->data(), name->size()});
  if (!e)
    return decode_error{errc::invalid_payload, "unknown event"};
  return *e;
}

result<client_event> decode_event(const frame& f, service_type sender) {
  auto e = event_of(f);
  if (!e)
    return e.error();
  if (!may_send(sender, *e))
    return decode_error{errc::not_allowed, "event not allowed"};
  const auto* d = f.d.if_object();
  if (!d)
    return invalid_field("d");
  switch (*e) {
    case event_type::execute_command:
      return decode_execute_command(*d);
    case event_type::identify_request:
      return decode_identify_request(*d);
    case event_type::guild_settings_update:
      return decode_guild_settings_update(*d);
    case event_type::music_command_update:
      return decode_music_command_update(*d);
    case event_type::supporter_add:
      return decode_supporter<supporter_add>(*d);
    case event_type::supporter_remove:
      return decode_supporter<supporter_remove>(*d);
    case event_type::identified:
    case event_type::shards_assigned:
    case event_type::identify_granted:
      break; // refused by may_send above
  }
  return decode_error{errc::not_allowed, "event not allowed"};
}

} // namespace coord::proto::gateway
