// The coordinator's voice replies as JSON text (SPEC.md §5): {"op":"<op>","d":..} written
// straight into one string. Requests: voice_codec.cpp.
#include "proto/voice_codec.hpp"

#include "proto/json_text.hpp"

#include <charconv>
#include <cmath>

namespace coord::proto::voice {

namespace {

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
