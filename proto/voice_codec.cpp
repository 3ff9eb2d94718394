// The voice dialect's requests (SPEC.md §5): open() and decode(), one decoder per served op.
// Replies: voice_replies.cpp.
#include "proto/voice_codec.hpp"

#include "proto/json_fields.hpp"
#include "proto/json_member_text.hpp"
#include "proto/json_text.hpp"
#include "proto/snowflake.hpp"

#include <boost/json/serialize.hpp>

namespace coord::proto::voice {

namespace {

std::string_view view(const boost::json::string& s) noexcept {
  return {s.data(), s.size()};
}

const boost::json::object* object_d(const envelope& env) {
  return env.d.if_object();
}

/// `d` of an op that takes only {guild_id}: the id and its JSON text as sent.
template <class Op>
result<client_message> guild_op(const envelope& env) {
  const auto* obj = object_d(env);
  if (!obj)
    return invalid_field("d");
  auto id = json_fields::snowflake(*obj, "guild_id");
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
  auto user = json_fields::snowflake(*obj, "user_id");
  if (!user)
    return user.error();
  // A shard is a non-negative integer; null or absent: none.
  auto shard = json_fields::optional_integer<std::uint64_t>(*obj, "shard_id");
  if (!shard)
    return shard.error();
  return client_message{identify{*user, *shard}};
}

result<client_message> decode_voice_state(const boost::json::object& d) {
  auto user = json_fields::snowflake(d, "user_id");
  if (!user)
    return user.error();
  auto guild = json_fields::snowflake(d, "guild_id");
  if (!guild)
    return guild.error();
  auto channel = json_fields::optional_snowflake(d, "channel_id");
  if (!channel)
    return channel.error();
  return client_message{voice_state_update{*user, *guild, *channel}};
}

result<client_message> decode_voice_server(const boost::json::object& d) {
  voice_server_update out;
  auto guild = json_fields::snowflake(d, "guild_id");
  if (!guild)
    return guild.error();
  out.guild_id = *guild;
  auto token = json_fields::string(d, "token");
  if (!token)
    return token.error();
  out.token = std::string{*token};
  auto endpoint = json_fields::optional_string(d, "endpoint");
  if (!endpoint)
    return endpoint.error();
  if (*endpoint)
    out.endpoint = std::string{**endpoint};
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
  auto parsed = json_fields::parse(text);
  if (!parsed)
    return parsed.error();
  auto* obj = parsed->if_object();
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

} // namespace coord::proto::voice
