#pragma once
// Properties of a decoded op 5 cache update (SPEC.md §4.7), shared by the gateway targets: every
// record the read API would serve (gateway_cache_json) decodes again to an equal record.

#include "fuzz/fuzz_check.hpp"
#include "proto/gateway_cache.hpp"
#include "proto/gateway_cache_json.hpp"

#include <string>
#include <variant>

namespace coord::fuzz {

namespace cache_detail {

namespace gw = coord::proto::gateway;

/// Read-API JSON of one record, turned back into an op 5 `d` of `type` and decoded.
inline gw::cache_update redecode(boost::json::object o, std::string_view type) {
  o["type"] = boost::json::string{type};
  auto again = gw::decode_cache(boost::json::value(std::move(o)));
  if (!again)
    std::fprintf(stderr, "re-decoding the read API's %.*s failed: %s\n",
                 static_cast<int>(type.size()), type.data(), again.error().reason.c_str());
  FUZZ_CHECK(again.has_value(), "the read API's JSON of a record does not decode again");
  return std::move(*again);
}

inline void check_user(const gw::user& u) {
  auto o = must_parse_object(gw::to_json(u), "append_json(user)");
  auto again = redecode(std::move(o), "user");
  const auto* back = std::get_if<gw::user>(&again);
  FUZZ_CHECK(back && *back == u, "user does not round-trip through the read API");
}

inline void check_member(const gw::member& m, const gw::user& u) {
  auto o = must_parse_object(gw::to_json(m, &u), "append_json(member)");
  auto again = redecode(std::move(o), "member");
  const auto* back = std::get_if<gw::member_update>(&again);
  FUZZ_CHECK(back && back->record == m, "member does not round-trip (joinedAt, roles, ...)");
  FUZZ_CHECK(back->member_user == u, "member's user does not round-trip");
}

inline void check_role(const gw::role& r) {
  auto again = redecode(must_parse_object(gw::to_json(r), "append_json(role)"), "role");
  const auto* back = std::get_if<gw::role>(&again);
  FUZZ_CHECK(back && *back == r, "role does not round-trip through the read API");
}

inline void check_channel(const gw::channel& c) {
  auto o = must_parse_object(gw::to_json(c), "append_json(channel)");
  if (c.has_type)
    FUZZ_CHECK(string_at(o, "type") == gw::channel_type_name(c.type), "channel type by name");
  else
    FUZZ_CHECK(o.at("type").is_null(), "an unknown channel type is null, never invented");
  // The read API names the type; an op 5 channel carries the number as channelType.
  o.erase("type");
  if (c.has_type)
    o["channelType"] = c.type;
  auto again = redecode(std::move(o), "channel");
  const auto* back = std::get_if<gw::channel>(&again);
  FUZZ_CHECK(back && *back == c, "channel does not round-trip through the read API");
}

inline void check_voice_state(const gw::voice_state& v) {
  auto o = must_parse_object(gw::to_json(v), "append_json(voice_state)");
  auto again = redecode(std::move(o), "voiceState");
  if (v.channel_id == 0) {
    // Served as channelID null, which is the removal form.
    const auto* removal = std::get_if<gw::cache_removal>(&again);
    FUZZ_CHECK(removal && removal->guild_id == v.guild_id && removal->id == v.user_id,
               "a voice state without channel decodes as its removal");
    return;
  }
  const auto* back = std::get_if<gw::voice_state>(&again);
  FUZZ_CHECK(back && *back == v, "voice state does not round-trip through the read API");
}

inline void check_guild(const gw::guild_update& g) {
  FUZZ_CHECK(g.users.size() == g.members.size(), "one user per member, in member order");
  FUZZ_CHECK(g.has_members || g.members.empty(), "members only when sent");
  FUZZ_CHECK(g.has_channels || g.channels.empty(), "channels only when sent");
  FUZZ_CHECK(g.has_voice_states || g.voice_states.empty(), "voice states only when sent");
  auto o = must_parse_object(gw::to_json(g.record), "append_json(guild)");
  o["roles"] = boost::json::array{};
  auto again = redecode(std::move(o), "guild");
  const auto* back = std::get_if<gw::guild_update>(&again);
  FUZZ_CHECK(back && back->record == g.record, "guild does not round-trip through the read API");
  for (const auto& r : g.roles) {
    FUZZ_CHECK(r.guild_id == g.record.id, "a nested role belongs to its guild");
    check_role(r);
  }
  for (const auto& c : g.channels) {
    FUZZ_CHECK(c.guild_id == g.record.id && c.has_type, "a nested channel has guild and type");
    check_channel(c);
  }
  for (const auto& v : g.voice_states) {
    FUZZ_CHECK(v.guild_id == g.record.id, "a nested voice state belongs to its guild");
    check_voice_state(v);
  }
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    FUZZ_CHECK(g.members[i].guild_id == g.record.id, "a nested member belongs to its guild");
    check_member(g.members[i], g.users[i]);
  }
}

} // namespace cache_detail

/// Every record of a decoded op 5 payload survives read API JSON -> op 5 -> decode_cache.
inline void check_cache_update(const proto::gateway::cache_update& update) {
  namespace gw = proto::gateway;
  using namespace cache_detail;
  if (const auto* m = std::get_if<gw::member_update>(&update))
    check_member(m->record, m->member_user);
  else if (const auto* r = std::get_if<gw::role>(&update))
    check_role(*r);
  else if (const auto* u = std::get_if<gw::user>(&update))
    check_user(*u);
  else if (const auto* g = std::get_if<gw::guild_update>(&update))
    check_guild(*g);
  else if (const auto* c = std::get_if<gw::channel>(&update))
    check_channel(*c);
  else if (std::holds_alternative<gw::ignored_record>(update))
    return; // a DM channel: nothing is cached, nothing served
  else if (const auto* v = std::get_if<gw::voice_state>(&update)) {
    FUZZ_CHECK(v->channel_id != 0, "a voice state without channel is decoded as a removal");
    check_voice_state(*v);
  }
}

} // namespace coord::fuzz
