#include "store/etcd_layout.hpp"

#include "proto/admin_codec.hpp"
#include "proto/snowflake.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace coord::store::etcd {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::string to_hex(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view s) {
  if (s.size() % 2 != 0)
    return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size() / 2);
  for (std::size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

/// A decimal id after `prefix` in `key`, the whole rest of the key, written as the key
/// functions write it (no leading zero): one key per id, so a delete of "guilds/07" cannot
/// drop what "guilds/7" holds.
template <class T>
std::optional<T> id_after(std::string_view key, const std::string& prefix) {
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto rest = key.substr(prefix.size());
  if (rest.size() > 1 && rest.front() == '0')
    return std::nullopt;
  T v{};
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (ec != std::errc{} || end != rest.data() + rest.size())
    return std::nullopt;
  return v;
}

std::optional<boost::json::object> parse_object(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  return std::move(v.as_object());
}

std::string id_text(std::uint64_t id) {
  return std::to_string(id);
}

} // namespace

std::string layout::guild_key(std::uint64_t guild) const {
  return guilds() + id_text(guild);
}
std::string layout::supporter_key(std::uint64_t user) const {
  return supporters() + id_text(user);
}
std::string layout::node_key(std::string_view node_id) const {
  return nodes() + std::string{node_id};
}
std::string layout::shard_key(std::uint32_t shard) const {
  return shards() + std::to_string(shard);
}
std::string layout::voice_key(std::string_view session_key) const {
  return voice() + to_hex(session_key);
}

state_key parse_state_key(const layout& l, std::string_view key) {
  if (auto id = id_after<std::uint64_t>(key, l.guilds()))
    return {state_key::guild, *id};
  if (auto id = id_after<std::uint64_t>(key, l.supporters()))
    return {state_key::supporter, *id};
  return {};
}

std::optional<std::uint32_t> parse_shard_key(const layout& l, std::string_view key) {
  return id_after<std::uint32_t>(key, l.shards());
}

std::optional<std::string> parse_voice_key(const layout& l, std::string_view key) {
  auto prefix = l.voice();
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  return from_hex(key.substr(prefix.size()));
}

std::string encode_settings(const proto::guild_settings& s) {
  return proto::admin::encode_settings(s);
}

std::optional<proto::guild_settings> decode_settings(std::string_view json, std::uint64_t guild,
                                                     const std::string& default_prefix) {
  auto patch = proto::admin::decode_settings_patch(json);
  if (!patch)
    return std::nullopt;
  proto::guild_settings s;
  s.guild_id = guild;
  s.prefix = default_prefix;
  proto::admin::apply(s, *patch);
  return s;
}

std::string encode_shard_owner(std::uint64_t session) {
  boost::json::object o;
  o["session"] = id_text(session);
  return boost::json::serialize(o);
}

std::optional<std::uint64_t> decode_shard_owner(std::string_view json) {
  auto o = parse_object(json);
  if (!o)
    return std::nullopt;
  auto* v = o->if_contains("session");
  if (!v)
    return std::nullopt;
  return proto::parse_snowflake(*v);
}

std::string encode_node(const node_info& n) {
  boost::json::object o;
  o["nodeId"] = n.node_id;
  o["advertiseUrl"] = n.advertise_url;
  return boost::json::serialize(o);
}

std::optional<node_info> decode_node(std::string_view json) {
  auto o = parse_object(json);
  if (!o)
    return std::nullopt;
  auto* id = o->if_contains("nodeId");
  auto* url = o->if_contains("advertiseUrl");
  if (!id || !url || !id->is_string() || !url->is_string())
    return std::nullopt;
  return node_info{std::string{id->as_string()}, std::string{url->as_string()}};
}

std::string encode_voice(const std::vector<proto::voice::voice_client>& clients) {
  boost::json::array a;
  for (const auto& vc : clients) {
    boost::json::object o;
    o["guildId"] = id_text(vc.guild_id);
    o["id"] = vc.id;
    if (vc.channel_id)
      o["channelId"] = id_text(*vc.channel_id);
    else
      o["channelId"] = nullptr;
    o["endpoint"] = vc.endpoint;
    a.push_back(std::move(o));
  }
  boost::json::object root;
  root["voiceClients"] = std::move(a);
  return boost::json::serialize(root);
}

std::optional<std::vector<proto::voice::voice_client>> decode_voice(std::string_view json) {
  auto o = parse_object(json);
  if (!o)
    return std::nullopt;
  auto* list = o->if_contains("voiceClients");
  if (!list || !list->is_array())
    return std::nullopt;
  std::vector<proto::voice::voice_client> out;
  for (const auto& item : list->as_array()) {
    auto* obj = item.if_object();
    if (!obj)
      return std::nullopt;
    proto::voice::voice_client vc;
    auto* guild = obj->if_contains("guildId");
    auto* id = obj->if_contains("id");
    if (!guild || !id || !id->is_string())
      return std::nullopt;
    auto g = proto::parse_snowflake(*guild);
    if (!g)
      return std::nullopt;
    vc.guild_id = *g;
    vc.id = std::string{id->as_string()};
    if (auto* ch = obj->if_contains("channelId"); ch && !ch->is_null()) {
      auto c = proto::parse_snowflake(*ch);
      if (!c)
        return std::nullopt;
      vc.channel_id = *c;
    }
    if (auto* ep = obj->if_contains("endpoint"); ep && ep->is_string())
      vc.endpoint = std::string{ep->as_string()};
    out.push_back(std::move(vc));
  }
  return out;
}

} // namespace coord::store::etcd
