// libFuzzer target: voice session frames (SPEC.md §5) through open() and decode(); the HEARTBEAT
// echo is the member's exact text and equals the parsed `d`, json_member_text agrees with the
// DOM, and every reply built from decoded values or client strings is JSON with those values.

#include "fuzz/fuzz_check.hpp"
#include "proto/json_member_text.hpp"
#include "proto/voice_codec.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace voice = coord::proto::voice;
namespace fuzz = coord::fuzz;
using coord::proto::errc;

namespace {

/// json_member_text finds the member Boost.JSON keeps (the last duplicate) with its exact text.
void check_member_text(std::string_view text, const boost::json::object& obj,
                       std::string_view name) {
  const auto member = coord::proto::json_member_text(text, name);
  const auto* v = obj.if_contains(name);
  FUZZ_CHECK(member.has_value() == (v != nullptr), "json_member_text disagrees on presence");
  if (!v)
    return;
  const auto again = fuzz::parse_element(*member);
  FUZZ_CHECK(again && fuzz::same_json(*again, *v), "json_member_text cut a different value than the DOM's");
}

/// append_double writes a JSON number that reads back as the same double (Python's repr form).
void check_double(double v) {
  std::string out;
  voice::append_double(out, v);
  FUZZ_CHECK(fuzz::parse_json(out).has_value(), "append_double wrote something not JSON");
  const double back = std::strtod(out.c_str(), nullptr);
  if (std::isfinite(v))
    FUZZ_CHECK(back == v, "append_double lost precision");
  else
    FUZZ_CHECK(out == "0.0", "a non-finite double is written as 0.0");
  const auto o = fuzz::must_parse_object(voice::encode_hello("0.1.0", v), "encode_hello");
  FUZZ_CHECK(o.at("d").as_object().at("heartbeat_interval").is_double(),
             "heartbeat_interval is written as a float, as the seed's Python node does");
}

/// The traceback replies name the client's op as sent.
void check_tracebacks(std::string_view op_name) {
  for (const auto& text : {voice::encode_not_identified(op_name),
                           voice::encode_voice_client_not_found(op_name, "\"1\""),
                           voice::encode_voice_client_not_found(op_name, "")}) {
    const auto o = fuzz::must_parse_object(text, "encode_traceback");
    FUZZ_CHECK(fuzz::string_at(o, "op") == op_name, "the traceback names the op as sent");
    FUZZ_CHECK(o.at("d").as_object().at("traceback").as_object().size() == 1, "one traceback");
  }
}

/// A voice client for guild/channel with an id and endpoint of client bytes.
void check_voice_client(std::uint64_t guild, std::optional<std::uint64_t> channel,
                        std::string_view raw) {
  const voice::voice_client vc{guild, std::string{raw}, channel, std::string{raw}};
  const bool valid = coord::proto::json_text::is_valid_utf8(raw);
  for (const auto& text : {voice::encode_vc_created(vc), voice::encode_state(vc)}) {
    const auto d = fuzz::must_parse_object(text, "encode_vc_created / encode_state").at("d");
    const auto& o = d.as_object();
    FUZZ_CHECK(fuzz::quoted_uint_at(o, "guild_id") == guild, "guild_id as a string");
    const auto& ch = o.at("channel_id");
    FUZZ_CHECK(channel ? fuzz::quoted_uint_at(o, "channel_id") == *channel : ch.is_null(),
               "channel_id as a string or null");
    if (valid)
      FUZZ_CHECK(fuzz::string_at(o, "id") == raw, "the voice client id is written as is");
  }
  const auto edited = fuzz::must_parse_object(voice::encode_vc_channel_edited(guild, channel),
                                              "encode_vc_channel_edited");
  FUZZ_CHECK(fuzz::quoted_uint_at(edited.at("d").as_object(), "guild_id") == guild,
             "VC_CHANNEL_EDITED guild_id");
  const auto destroyed =
      fuzz::must_parse_object(voice::encode_vc_destroyed(guild), "encode_vc_destroyed");
  FUZZ_CHECK(fuzz::quoted_uint_at(destroyed.at("d").as_object(), "guild_id") == guild,
             "VC_DESTROYED guild_id");
  const auto pairs = fuzz::must_parse_object(
      voice::encode_resumed({vc, vc}, voice::resumed_form::pairs), "encode_resumed(pairs)");
  FUZZ_CHECK(pairs.at("d").as_object().at("voice_clients").as_array().size() == 2,
             "RESUMED lists every voice client");
  const auto map = fuzz::must_parse_object(voice::encode_resumed({vc}), "encode_resumed(map)");
  const auto& entry = map.at("d").as_object().at("voice_clients").as_object().at(
      std::to_string(guild)).as_object();
  FUZZ_CHECK(channel ? fuzz::quoted_uint_at(entry, "channel") == *channel
                     : entry.at("channel").is_null(),
             "RESUMED (map) carries each voice client's channel");
}

/// The VoiceClientNotFound reply carries d.guild_id exactly as the client sent it.
void check_guild_echo(const voice::envelope& env, const std::string& guild_text) {
  const auto o = fuzz::must_parse_object(voice::encode_voice_client_not_found(env.op, guild_text),
                                         "encode_voice_client_not_found");
  FUZZ_CHECK(fuzz::same_json(o.at("d").as_object().at("guild_id"),
                             env.d.as_object().at("guild_id")),
             "the error reply echoes the request's guild_id");
}

void check_message(const voice::envelope& env, const voice::client_message& msg,
                   std::string_view raw) {
  if (const auto* h = std::get_if<voice::heartbeat>(&msg)) {
    const auto ack = fuzz::must_parse_object(voice::encode_heartbeat_ack(h->d_text),
                                             "encode_heartbeat_ack");
    FUZZ_CHECK(fuzz::same_json(ack.at("d"), env.d), "HEARTBEAT_ACK does not echo d");
  } else if (const auto* id = std::get_if<voice::identify>(&msg)) {
    auto expected = std::to_string(id->user_id);
    if (id->shard_id)
      expected += "-" + std::to_string(*id->shard_id);
    FUZZ_CHECK(id->key() == expected, "the session key is user_id[-shard_id]");
  } else if (const auto* s = std::get_if<voice::voice_state_update>(&msg)) {
    check_voice_client(s->guild_id, s->channel_id, raw);
  } else if (const auto* s = std::get_if<voice::voice_server_update>(&msg)) {
    check_voice_client(s->guild_id, std::nullopt, s->token);
  } else if (const auto* d = std::get_if<voice::vc_destroy>(&msg)) {
    check_voice_client(d->guild_id, d->guild_id, raw);
    check_guild_echo(env, d->guild_text);
  } else if (const auto* g = std::get_if<voice::get_state>(&msg)) {
    check_voice_client(g->guild_id, std::nullopt, raw);
    check_guild_echo(env, g->guild_text);
  } else if (const auto* q = std::get_if<voice::get_queue>(&msg)) {
    const auto o = fuzz::must_parse_object(voice::encode_queue(q->guild_id), "encode_queue");
    FUZZ_CHECK(fuzz::quoted_uint_at(o.at("d").as_object(), "guild_id") == q->guild_id,
               "getQueue guild_id as a string");
    check_guild_echo(env, q->guild_text);
  } else if (const auto* u = std::get_if<voice::unknown_op>(&msg)) {
    FUZZ_CHECK(u->op == env.op, "an unknown op is reported as sent");
    if (u->guild_id)
      check_guild_echo(env, u->guild_text);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  if (size >= sizeof(double)) {
    double v = 0;
    std::memcpy(&v, data, sizeof v);
    check_double(v);
  }
  const auto dom = fuzz::parse_json(text);
  auto env = voice::open(text);
  if (!env) {
    fuzz::check_error(env.error());
    FUZZ_CHECK(env.error().code == errc::invalid_json, "open() refuses only as invalid json");
    FUZZ_CHECK(!dom || !dom->is_object(), "open() refused a JSON object");
    return 0;
  }
  FUZZ_CHECK(dom && dom->is_object(), "open() accepted something that is not a JSON object");
  const auto& obj = dom->get_object();
  check_member_text(text, obj, "d");
  check_member_text(text, obj, "op");
  if (!obj.empty())
    check_member_text(text, obj, fuzz::key_of(*obj.begin()));
  FUZZ_CHECK(fuzz::same_json(env->d, obj.contains("d") ? obj.at("d") : boost::json::value()),
             "the envelope's d is the frame's");
  if (env->has_op && env->op == voice::op::heartbeat) {
    const auto echoed = fuzz::parse_element(env->d_text);
    FUZZ_CHECK(echoed && fuzz::same_json(*echoed, env->d), "the HEARTBEAT echo text is not the frame's d");
  }
  if (env->has_op) {
    check_tracebacks(env->op);
    FUZZ_CHECK(voice::allowed_before_identify(env->op) ==
                   (env->op == "HEARTBEAT" || env->op == "IDENTIFY" || env->op == "GET_STATUS"),
               "only HEARTBEAT, IDENTIFY and GET_STATUS are served before IDENTIFY");
  }
  auto msg = voice::decode(*env);
  if (!msg) {
    fuzz::check_error(msg.error());
    FUZZ_CHECK(msg.error().code == errc::invalid_payload, "a bad d is invalid_payload");
    return 0;
  }
  check_message(*env, *msg, text.substr(0, 256));
  return 0;
}
