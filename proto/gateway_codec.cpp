// The gateway dialect's frame (SPEC.md §4.1): names, open(), identify, heartbeat and decode(),
// which checks the session's state and hands op 2 to gateway_events.cpp, op 5 to
// gateway_cache.cpp, op 6 to gateway_resume.cpp. Encoders: gateway_encode.cpp.
#include "proto/gateway_codec.hpp"

#include "proto/json_fields.hpp"
#include "proto/secure_compare.hpp"

#include <utility>

namespace coord::proto::gateway {

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
  auto parsed = json_fields::parse(text);
  if (!parsed)
    return parsed.error();
  auto* obj = parsed->if_object();
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
  const auto* d = f.d.if_object();
  if (!d)
    return invalid_field("d");
  identify id;
  auto type = json_fields::string(*d, "type");
  if (!type)
    return type.error();
  auto parsed_type = service_type_from_string(*type);
  if (!parsed_type)
    return invalid_field("type");
  id.type = *parsed_type;
  auto compress = json_fields::boolean(*d, "compress");
  if (!compress)
    return compress.error();
  id.compress = *compress;
  // Missing, mistyped or wrong: one answer, so a client learns nothing about the secret.
  auto secret = json_fields::string(*d, "secret");
  if (!secret || !secure_equals(*secret, expected_secret))
    return decode_error{errc::auth_failed, "invalid secret"};
  if (const auto* shards = d->if_contains("shards"); shards && !shards->is_null()) {
    const auto* arr = shards->if_array();
    if (!arr)
      return invalid_field("shards");
    auto& list = id.shards.emplace();
    list.reserve(arr->size());
    for (const auto& item : *arr) {
      auto n = json_fields::integer<shard_id>(item);
      if (!n)
        return invalid_field("shards");
      list.push_back(*n);
    }
  }
  return id;
}

result<heartbeat> decode_heartbeat(const frame& f, std::optional<service_type> sender) {
  const auto* d = f.d.if_object();
  if (!d)
    return invalid_field("d");
  heartbeat h;
  auto heap_used = json_fields::count(*d, "heapUsed");
  if (!heap_used)
    return heap_used.error();
  h.heap_used = *heap_used;
  // guilds may be absent (but not null) unless the sender is a sharder.
  if (d->contains("guilds") || sender == service_type::sharder) {
    auto guilds = json_fields::count(*d, "guilds");
    if (!guilds)
      return guilds.error();
    h.guilds = *guilds;
  }
  return h;
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

} // namespace coord::proto::gateway
