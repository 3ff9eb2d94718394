#include "proto/gateway_codec.hpp"

#include "proto/json_text.hpp"
#include "proto/secure_compare.hpp"
#include "proto/snowflake.hpp"

#include <boost/json/parse.hpp>

#include <limits>
#include <tuple>
#include <utility>

namespace coord::proto::gateway {

namespace json = boost::json;

namespace {

constexpr service_type all_services[] = {service_type::sharder, service_type::commands,
                                         service_type::dashboard, service_type::panel,
                                         service_type::feeds};

constexpr event_type all_events[] = {
    event_type::identified,           event_type::execute_command,
    event_type::shards_assigned,      event_type::identify_granted,
    event_type::identify_request,     event_type::guild_settings_update,
    event_type::music_command_update, event_type::supporter_add,
    event_type::supporter_remove};

/// An integer in 0..2^32-1 (no doubles, strings or negatives).
std::optional<shard_id> shard_of(const json::value& v) noexcept {
  // Boost.JSON uses the uint64 kind only above INT64_MAX, so only int64 can fit.
  if (const auto* i = v.if_int64(); i && *i >= 0 && *i <= std::numeric_limits<shard_id>::max())
    return static_cast<shard_id>(*i);
  return std::nullopt;
}

/// A non-negative JSON number (JavaScript's `number`); a fraction is dropped.
std::optional<std::uint64_t> count_of(const json::value& v) noexcept {
  if (const auto* i = v.if_int64())
    return *i >= 0 ? std::optional<std::uint64_t>{static_cast<std::uint64_t>(*i)} : std::nullopt;
  if (const auto* u = v.if_uint64())
    return *u;
  // NaN fails both comparisons; 2^64 itself does not fit.
  if (const auto* d = v.if_double(); d && *d >= 0.0 && *d < 18446744073709551616.0)
    return static_cast<std::uint64_t>(*d);
  return std::nullopt;
}

/// The `d` of a frame as an object; null when it is not one.
const json::object* object_d(const frame& f) noexcept {
  return f.d.if_object();
}

/// A required string field, copied into out.
std::optional<decode_error> string_field(const json::object& o, std::string_view name,
                                         std::string_view path, std::string& out) {
  const auto* v = o.if_contains(name);
  if (!v)
    return missing_field(path);
  const auto* s = v->if_string();
  if (!s)
    return invalid_field(path);
  out.assign(s->data(), s->size());
  return std::nullopt;
}

/// A required snowflake field (string or number).
std::optional<decode_error> id_field(const json::object& o, std::string_view name,
                                     std::string_view path, std::uint64_t& out) {
  const auto* v = o.if_contains(name);
  if (!v)
    return missing_field(path);
  auto id = parse_snowflake(*v);
  if (!id)
    return invalid_field(path);
  out = *id;
  return std::nullopt;
}

result<client_event> decode_execute_command(const json::object& d) {
  execute_command c;
  if (auto e = string_field(d, "command", "command", c.command))
    return *e;
  if (auto e = string_field(d, "raw", "raw", c.raw))
    return *e;
  const auto* ids_value = d.if_contains("ids");
  if (!ids_value)
    return missing_field("ids");
  const auto* ids = ids_value->if_object();
  if (!ids)
    return invalid_field("ids");
  for (auto [name, path, out] : {std::tuple{"message", "ids.message", &c.message_id},
                                 std::tuple{"author", "ids.author", &c.author_id},
                                 std::tuple{"channel", "ids.channel", &c.channel_id},
                                 std::tuple{"guild", "ids.guild", &c.guild_id}})
    if (auto e = id_field(*ids, name, path, *out))
      return *e;
  const auto* shard = ids->if_contains("shard");
  if (!shard)
    return missing_field("ids.shard");
  auto n = shard_of(*shard);
  if (!n)
    return invalid_field("ids.shard");
  c.shard = *n;
  return client_event{std::move(c)};
}

result<client_event> decode_identify_request(const json::object& d) {
  const auto* shard = d.if_contains("shard");
  if (!shard)
    return missing_field("shard");
  auto n = shard_of(*shard);
  if (!n)
    return invalid_field("shard");
  return client_event{identify_request{*n}};
}

result<client_event> decode_guild_settings_update(const json::object& d) {
  guild_settings_update u;
  if (auto e = id_field(d, "guildId", "guildId", u.guild_id))
    return *e;
  auto& p = u.patch;
  if (const auto* v = d.if_contains("prefix")) {
    const auto* s = v->if_string();
    if (!s)
      return invalid_field("prefix");
    if (s->empty() || s->size() > max_prefix_bytes)
      return decode_error{errc::invalid_payload, "prefix must be 1 to 2000 bytes"};
    p.prefix.emplace(s->data(), s->size());
  }
  for (auto [name, slot] : {std::pair{"djRoleId", &p.dj_role_id},
                            std::pair{"voiceChannelId", &p.voice_channel_id},
                            std::pair{"musicChannelId", &p.music_channel_id}}) {
    const auto* v = d.if_contains(name);
    if (!v)
      continue;
    // As in the admin PATCH: null clears the id (0).
    auto id = v->is_null() ? std::optional<std::uint64_t>{0} : parse_snowflake(*v);
    if (!id)
      return invalid_field(name);
    *slot = *id;
  }
  if (const auto* v = d.if_contains("musicEnabled")) {
    const auto* b = v->if_bool();
    if (!b)
      return invalid_field("musicEnabled");
    p.music_enabled = *b;
  }
  return client_event{std::move(u)};
}

result<client_event> decode_music_command_update(const json::object& d) {
  music_command_update m;
  if (auto e = id_field(d, "guildId", "guildId", m.guild_id))
    return *e;
  const auto* v = d.if_contains("enable");
  if (!v)
    return missing_field("enable");
  const auto* b = v->if_bool();
  if (!b)
    return invalid_field("enable");
  m.enable = *b;
  return client_event{m};
}

template <class Event>
result<client_event> decode_supporter(const json::object& d) {
  Event s;
  if (auto e = id_field(d, "supporterId", "supporterId", s.supporter_id))
    return *e;
  return client_event{s};
}

/// `{"op":2,"t":"<name>","d":` — the start of every coordinator event.
void begin_event(std::string& out, event_type e) {
  out.append("{\"op\":2,\"t\":\"");
  out.append(to_string(e));
  out.append("\",\"d\":");
}

void append_shards(std::string& out, const std::vector<shard_id>& shards) {
  out.push_back('[');
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    json_text::append_uint(out, shards[i]);
  }
  out.push_back(']');
}

std::string encode_shard_list(event_type e, const std::vector<shard_id>& shards) {
  std::string out;
  out.reserve(48 + shards.size() * 11);
  begin_event(out, e);
  out.append("{\"shards\":");
  append_shards(out, shards);
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

std::string_view to_string(service_type t) noexcept {
  switch (t) {
    case service_type::sharder:
      return "sharder";
    case service_type::commands:
      return "commands";
    case service_type::dashboard:
      return "dashboard";
    case service_type::panel:
      return "panel";
    case service_type::feeds:
      return "feeds";
  }
  return "unknown";
}

std::optional<service_type> service_type_from_string(std::string_view name) noexcept {
  for (auto t : all_services)
    if (to_string(t) == name)
      return t;
  return std::nullopt;
}

std::string_view to_string(event_type e) noexcept {
  switch (e) {
    case event_type::identified:
      return "IDENTIFIED";
    case event_type::execute_command:
      return "EXECUTE_COMMAND";
    case event_type::shards_assigned:
      return "SHARDS_ASSIGNED";
    case event_type::identify_granted:
      return "IDENTIFY_GRANTED";
    case event_type::identify_request:
      return "IDENTIFY_REQUEST";
    case event_type::guild_settings_update:
      return "GUILD_SETTINGS_UPDATE";
    case event_type::music_command_update:
      return "MUSIC_COMMAND_UPDATE";
    case event_type::supporter_add:
      return "SUPPORTER_ADD";
    case event_type::supporter_remove:
      return "SUPPORTER_REMOVE";
  }
  return "UNKNOWN";
}

std::optional<event_type> event_type_from_string(std::string_view name) noexcept {
  for (auto e : all_events)
    if (to_string(e) == name)
      return e;
  return std::nullopt;
}

bool may_send(service_type from, event_type e) noexcept {
  switch (e) {
    case event_type::execute_command:
    case event_type::identify_request:
      return from == service_type::sharder;
    case event_type::guild_settings_update:
    case event_type::music_command_update:
      return from == service_type::commands || from == service_type::dashboard ||
             from == service_type::panel;
    case event_type::supporter_add:
    case event_type::supporter_remove:
      return from == service_type::dashboard || from == service_type::panel;
    case event_type::identified:
    case event_type::shards_assigned:
    case event_type::identify_granted:
      return false;
  }
  return false;
}

result<frame> open(std::string_view text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec)
    return decode_error{errc::invalid_json, "invalid json"};
  auto* obj = parsed.if_object();
  if (!obj)
    return decode_error{errc::invalid_payload, "payload must be an object"};
  const auto op_it = obj->find("op");
  if (op_it == obj->end())
    return missing_field("op");
  std::int64_t code = -1; // an integer past INT64_MAX stays -1: unknown, not mistyped
  if (const auto* i = op_it->value().if_int64())
    code = *i;
  else if (!op_it->value().is_uint64())
    return invalid_field("op");
  if (code < op::identify || code > op::resume)
    return decode_error{errc::unknown_opcode, "unknown opcode"};
  const auto d_it = obj->find("d");
  if (d_it == obj->end())
    return missing_field("d");
  frame f;
  f.op = static_cast<int>(code);
  // Same storage, so these moves are pointer swaps, not copies.
  f.d = std::move(d_it->value());
  if (const auto t_it = obj->find("t"); t_it != obj->end())
    f.t = std::move(t_it->value());
  return f;
}

result<identify> decode_identify(const frame& f, std::string_view expected_secret) {
  const auto* d = object_d(f);
  if (!d)
    return invalid_field("d");
  identify id;
  const auto* type = d->if_contains("type");
  if (!type)
    return missing_field("type");
  const auto* type_name = type->if_string();
  auto parsed_type =
      type_name ? service_type_from_string(std::string_view{type_name->data(), type_name->size()})
                : std::nullopt;
  if (!parsed_type)
    return invalid_field("type");
  id.type = *parsed_type;
  const auto* compress = d->if_contains("compress");
  if (!compress)
    return missing_field("compress");
  if (!compress->is_bool())
    return invalid_field("compress");
  id.compress = compress->get_bool();
  const auto* secret_value = d->if_contains("secret");
  const auto* secret = secret_value ? secret_value->if_string() : nullptr;
  if (!secret || !secure_equals(std::string_view{secret->data(), secret->size()}, expected_secret))
    return decode_error{errc::auth_failed, "invalid secret"};
  if (const auto* shards = d->if_contains("shards"); shards && !shards->is_null()) {
    const auto* arr = shards->if_array();
    if (!arr)
      return invalid_field("shards");
    auto& list = id.shards.emplace();
    list.reserve(arr->size());
    for (const auto& item : *arr) {
      auto n = shard_of(item);
      if (!n)
        return invalid_field("shards");
      list.push_back(*n);
    }
  }
  return id;
}

result<heartbeat> decode_heartbeat(const frame& f, std::optional<service_type> sender) {
  const auto* d = object_d(f);
  if (!d)
    return invalid_field("d");
  heartbeat h;
  const auto* heap = d->if_contains("heapUsed");
  if (!heap)
    return missing_field("heapUsed");
  auto heap_used = count_of(*heap);
  if (!heap_used)
    return invalid_field("heapUsed");
  h.heap_used = *heap_used;
  if (const auto* guilds = d->if_contains("guilds")) {
    auto n = count_of(*guilds);
    if (!n)
      return invalid_field("guilds");
    h.guilds = *n;
  } else if (sender == service_type::sharder) {
    return missing_field("guilds");
  }
  return h;
}

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
  const auto* d = object_d(f);
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

result<client_message> decode(const frame& f, const session_view& session) {
  if (f.op == op::identify) {
    if (session.identified_as)
      return decode_error{errc::already_identified, "already identified"};
    auto id = decode_identify(f, session.secret);
    if (!id)
      return id.error();
    return client_message{std::move(*id)};
  }
  if (f.op == op::resume) {
    if (session.identified_as)
      return decode_error{errc::already_identified, "already identified"};
    auto r = decode_resume(f.d, session.secret);
    if (!r)
      return r.error();
    return client_message{std::move(*r)};
  }
  if (f.op == op::heartbeat) {
    auto h = decode_heartbeat(f, session.identified_as);
    if (!h)
      return h.error();
    return client_message{*h};
  }
  if (!session.identified_as)
    return decode_error{errc::not_identified, "identify first"};
  if (f.op == op::event) {
    auto e = decode_event(f, *session.identified_as);
    if (!e)
      return e.error();
    return client_message{std::move(*e)};
  }
  if (f.op == op::cache) {
    auto c = decode_cache(f.d);
    if (!c)
      return c.error();
    return client_message{std::move(*c)};
  }
  return decode_error{errc::unknown_opcode, "unknown opcode"}; // hello, heartbeat ack
}

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
