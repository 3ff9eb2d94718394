#include "proto/voice_codec.hpp"

#include "proto/json_member_text.hpp"
#include "proto/json_text.hpp"
#include "proto/snowflake.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace coord::proto::voice {

namespace {

std::string_view view(const boost::json::string& s) noexcept {
  return {s.data(), s.size()};
}

// -- field helpers -------------------------------------------------------------

const boost::json::object* object_d(const envelope& env) {
  return env.d.if_object();
}

/// A required snowflake field.
result<std::uint64_t> snowflake_field(const boost::json::object& obj, std::string_view name) {
  const auto* v = obj.if_contains(name);
  if (!v)
    return missing_field(name);
  auto id = parse_snowflake(*v);
  if (!id)
    return invalid_field(name);
  return *id;
}

/// A snowflake or null; absent counts as null.
result<std::optional<std::uint64_t>> nullable_snowflake(const boost::json::object& obj,
                                                        std::string_view name) {
  const auto* v = obj.if_contains(name);
  if (!v || v->is_null())
    return std::optional<std::uint64_t>{};
  auto id = parse_snowflake(*v);
  if (!id)
    return invalid_field(name);
  return std::optional<std::uint64_t>{*id};
}

/// `d` of an op that takes only {guild_id}: the id and its JSON text as sent.
template <class Op>
result<client_message> guild_op(const envelope& env) {
  const auto* obj = object_d(env);
  if (!obj)
    return invalid_field("d");
  auto id = snowflake_field(*obj, "guild_id");
  if (!id)
    return id.error();
  return client_message{Op{*id, boost::json::serialize(obj->at("guild_id"))}};
}

/// An op this node does not serve; it remembers d.guild_id when that is a snowflake.
client_message unknown(const envelope& env) {
  unknown_op out{env.op, std::nullopt, {}};
  if (const auto* obj = object_d(env))
    if (const auto* v = obj->if_contains("guild_id"))
      if (auto id = parse_snowflake(*v)) {
        out.guild_id = *id;
        out.guild_text = boost::json::serialize(*v);
      }
  return client_message{std::move(out)};
}

result<client_message> decode_identify(const envelope& env) {
  const auto* obj = object_d(env);
  if (!obj)
    return invalid_field("d");
  auto user = snowflake_field(*obj, "user_id");
  if (!user)
    return user.error();
  identify out{*user, std::nullopt};
  if (const auto* shard = obj->if_contains("shard_id"); shard && !shard->is_null()) {
    // A shard is a non-negative integer; Boost.JSON uses uint64 only above INT64_MAX.
    if (const auto* i = shard->if_int64(); i && *i >= 0)
      out.shard_id = static_cast<std::uint64_t>(*i);
    else if (const auto* u = shard->if_uint64())
      out.shard_id = *u;
    else
      return invalid_field("shard_id");
  }
  return client_message{out};
}

result<client_message> decode_voice_state(const boost::json::object& d) {
  voice_state_update out;
  auto user = snowflake_field(d, "user_id");
  if (!user)
    return user.error();
  auto guild = snowflake_field(d, "guild_id");
  if (!guild)
    return guild.error();
  auto channel = nullable_snowflake(d, "channel_id");
  if (!channel)
    return channel.error();
  out.user_id = *user;
  out.guild_id = *guild;
  out.channel_id = *channel;
  return client_message{out};
}

result<client_message> decode_voice_server(const boost::json::object& d) {
  voice_server_update out;
  auto guild = snowflake_field(d, "guild_id");
  if (!guild)
    return guild.error();
  out.guild_id = *guild;
  const auto* token = d.if_contains("token");
  if (!token)
    return missing_field("token");
  if (!token->is_string())
    return invalid_field("token");
  out.token = std::string{view(token->get_string())};
  if (const auto* ep = d.if_contains("endpoint"); ep && !ep->is_null()) {
    if (!ep->is_string())
      return invalid_field("endpoint");
    out.endpoint = std::string{view(ep->get_string())};
  }
  return client_message{std::move(out)};
}

result<client_message> decode_discord_event(const envelope& env) {
  const auto* obj = object_d(env);
  if (!obj)
    return invalid_field("d");
  // Bots forward their raw gateway traffic; anything but the two voice events (t null on
  // non-dispatch payloads included) is not ours to judge.
  const auto* t = obj->if_contains("t");
  if (!t || !t->is_string())
    return client_message{other_event{}};
  const auto name = view(t->get_string());
  if (name != "VOICE_STATE_UPDATE" && name != "VOICE_SERVER_UPDATE")
    return client_message{other_event{std::string{name}}};
  const auto* inner = obj->if_contains("d");
  if (!inner)
    return missing_field("d.d");
  const auto* d = inner->if_object();
  if (!d)
    return invalid_field("d.d");
  return name == "VOICE_STATE_UPDATE" ? decode_voice_state(*d) : decode_voice_server(*d);
}

void append_nullable_id(std::string& out, std::optional<std::uint64_t> id) {
  if (id)
    json_text::append_quoted_uint(out, *id);
  else
    out.append("null");
}

/// {"op":"<op>","d": then the caller's d, then "}".
std::string start_payload(std::string_view op_name, std::size_t reserve) {
  std::string out;
  out.reserve(reserve + op_name.size() + 16);
  out.append("{\"op\":");
  json_text::append_string(out, op_name);
  out.append(",\"d\":");
  return out;
}

} // namespace

std::string identify::key() const {
  std::string out;
  json_text::append_uint(out, user_id);
  if (shard_id) {
    out.push_back('-');
    json_text::append_uint(out, *shard_id);
  }
  return out;
}

bool allowed_before_identify(std::string_view name) noexcept {
  return name == op::heartbeat || name == op::identify || name == op::get_status;
}

result<envelope> open(std::string_view text) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(text, ec);
  if (ec)
    return decode_error{errc::invalid_json, "invalid json"};
  auto* obj = parsed.if_object();
  if (!obj)
    return decode_error{errc::invalid_json, "invalid json"};
  envelope env;
  if (const auto* op_value = obj->if_contains("op"); op_value && op_value->is_string()) {
    env.has_op = true;
    env.op = std::string{view(op_value->get_string())};
  }
  if (auto* d = obj->if_contains("d"))
    env.d = std::move(*d);
  if (env.has_op && env.op == op::heartbeat) {
    // Boost.JSON's DOM keeps no text, and serialising it again changes the client's bytes
    // (1.0 -> 1E0, 1e400 -> Infinity), so the echo is cut out of the frame. No "d" at all
    // echoes null, as the seed's server does.
    if (auto raw = json_member_text(text, "d"))
      env.d_text = std::string{*raw};
    else
      env.d_text = boost::json::serialize(env.d);
  }
  return env;
}

result<client_message> decode(const envelope& env) {
  const std::string_view name = env.op;
  if (!env.has_op)
    return client_message{unknown_op{}};
  if (name == op::heartbeat)
    return client_message{
      heartbeat{env.d_text.empty() ? boost::json::serialize(env.d) : env.d_text}};
  if (name == op::identify)
    return decode_identify(env);
  if (name == op::discord_event)
    return decode_discord_event(env);
  if (name == op::vc_destroy)
    return guild_op<vc_destroy>(env);
  if (name == op::get_state)
    return guild_op<get_state>(env);
  if (name == op::get_queue)
    return guild_op<get_queue>(env);
  if (name == op::get_status)
    return client_message{get_status{}};
  return unknown(env);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v))
    v = 0.0;
  // Python's repr: positional between 1e-4 and 1e16, scientific outside; shortest digits
  // that read back to the same double either way.
  const double mag = std::fabs(v);
  const bool fixed = mag == 0.0 || (mag >= 1e-4 && mag < 1e16);
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v,
                                 fixed ? std::chars_format::fixed
                                       : std::chars_format::scientific);
  if (ec != std::errc{}) {
    out.append("0.0");
    return;
  }
  const std::string_view text{buf, static_cast<std::size_t>(ptr - buf)};
  out.append(text);
  if (fixed && text.find('.') == std::string_view::npos)
    out.append(".0");
}

std::string encode_hello(std::string_view version, double heartbeat_interval_s) {
  auto out = start_payload(op::hello, 64 + version.size());
  out.append("{\"version\":");
  json_text::append_string(out, version);
  out.append(",\"heartbeat_interval\":");
  append_double(out, heartbeat_interval_s);
  out.append("}}");
  return out;
}

std::string encode_heartbeat_ack(std::string_view d_text) {
  auto out = start_payload(op::heartbeat_ack, d_text.size() + 2);
  out.append(d_text.empty() ? std::string_view{"null"} : d_text);
  out.push_back('}');
  return out;
}

std::string encode_forbidden(std::string_view reason) {
  auto out = start_payload(op::forbidden, reason.size() + 4);
  json_text::append_string(out, reason);
  out.push_back('}');
  return out;
}

std::string encode_identified() {
  auto out = start_payload(op::identified, 32);
  json_text::append_string(out, "ClientManager initialized.");
  out.push_back('}');
  return out;
}

std::string encode_resumed(const std::vector<voice_client>& clients, resumed_form form) {
  auto out = start_payload(op::resumed, 24 + clients.size() * 80);
  if (form == resumed_form::map) {
    out.append("{\"voice_clients\":{");
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (i != 0)
        out.push_back(',');
      json_text::append_quoted_uint(out, clients[i].guild_id);
      out.append(":{\"id\":");
      json_text::append_string(out, clients[i].id);
      out.append(",\"channel\":");
      append_nullable_id(out, clients[i].channel_id);
      out.push_back('}');
    }
    out.append("}}}");
    return out;
  }
  out.append("{\"voice_clients\":[");
  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    out.push_back('[');
    json_text::append_quoted_uint(out, clients[i].guild_id);
    out.push_back(',');
    append_nullable_id(out, clients[i].channel_id);
    out.push_back(']');
  }
  out.append("]}}");
  return out;
}

std::string encode_traceback(std::string_view op_name, std::string_view name,
                             std::string_view text) {
  auto out = start_payload(op_name, 32 + name.size() + text.size());
  out.append("{\"traceback\":{");
  json_text::append_string(out, name);
  out.push_back(':');
  json_text::append_string(out, text);
  out.append("}}}");
  return out;
}

std::string encode_already_identified() {
  return encode_traceback(op::identify, "ALREADY_IDENTIFIED",
                          "This connection already identified.");
}

std::string encode_not_identified(std::string_view op_name) {
  return encode_traceback(op_name, "NOT_IDENTIFIED", "Identify first.");
}

std::string encode_voice_client_not_found(std::string_view op_name,
                                          std::string_view guild_text) {
  auto out = encode_traceback(op_name, "VoiceClientNotFound",
                              "There is no voice client in this guild.");
  if (guild_text.empty())
    return out;
  // The clients route a reply by d.guild_id: it goes beside the traceback.
  out.resize(out.size() - 2); // "}}" of d and the payload
  out.append(",\"guild_id\":");
  out.append(guild_text);
  out.append("}}");
  return out;
}

std::string encode_vc_created(const voice_client& vc) {
  auto out = start_payload(op::vc_created, 96 + vc.id.size());
  out.append("{\"guild_id\":");
  json_text::append_quoted_uint(out, vc.guild_id);
  out.append(",\"id\":");
  json_text::append_string(out, vc.id);
  out.append(",\"channel_id\":");
  append_nullable_id(out, vc.channel_id);
  out.append("}}");
  return out;
}

std::string encode_vc_channel_edited(std::uint64_t guild_id,
                                     std::optional<std::uint64_t> channel_id) {
  auto out = start_payload(op::vc_channel_edited, 80);
  out.append("{\"guild_id\":");
  json_text::append_quoted_uint(out, guild_id);
  out.append(",\"channel_id\":");
  append_nullable_id(out, channel_id);
  out.append("}}");
  return out;
}

std::string encode_vc_destroyed(std::uint64_t guild_id) {
  auto out = start_payload(op::vc_destroyed, 48);
  out.append("{\"guild_id\":");
  json_text::append_quoted_uint(out, guild_id);
  out.append("}}");
  return out;
}

std::string encode_state(const voice_client& vc) {
  auto out = start_payload(op::get_state, 320 + vc.id.size());
  out.append("{\"id\":");
  json_text::append_string(out, vc.id);
  out.append(",\"guild_id\":");
  json_text::append_quoted_uint(out, vc.guild_id);
  out.append(",\"channel_id\":");
  append_nullable_id(out, vc.channel_id);
  // The original's player state with nothing playing: this node plays no audio, so the
  // clients' periodic state sync always sees a stopped player with the default options.
  out.append(",\"state\":1,\"current\":null,\"duration\":null,\"position\":null,"
             "\"remain\":null,\"remainQueue\":0,\"options\":{\"autoplay\":true,"
             "\"volume\":1.0,\"crossfade\":10.0,\"filter\":{}},\"context\":{}}}");
  return out;
}

std::string encode_queue(std::uint64_t guild_id) {
  auto out = start_payload(op::get_queue, 48);
  out.append("{\"guild_id\":");
  json_text::append_quoted_uint(out, guild_id);
  out.append(",\"entries\":[]}}");
  return out;
}

std::string encode_status(const status_info& s) {
  auto out = start_payload(op::status, 128);
  out.append("{\"sessions\":");
  json_text::append_uint(out, s.sessions);
  out.append(",\"retained_sessions\":");
  json_text::append_uint(out, s.retained_sessions);
  out.append(",\"voice_clients\":");
  json_text::append_uint(out, s.voice_clients);
  out.append(",\"uptime\":");
  append_double(out, s.uptime_s);
  out.append("}}");
  return out;
}

} // namespace coord::proto::voice
