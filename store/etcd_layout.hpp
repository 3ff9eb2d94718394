#pragma once
// Where cluster mode keeps its facts in etcd (SPEC.md §9, docs/cluster.md "Key layout"), and
// the JSON of each value. Pure functions: the etcd store and the cluster actor use them, and
// so can any program that writes the state with etcdctl.
//
//   <prefix>state/guilds/<guild id>     a guild's settings, as GET /api/v1/guilds/{id}/settings
//   <prefix>state/supporters/<user id>  {} (present: a supporter)
//   <prefix>election                    the election name; the leader's value: {nodeId,advertiseUrl}
//   <prefix>nodes/<node id>             {nodeId,advertiseUrl} on the node's lease
//   <prefix>shards/<shard id>           {"session":"<sharder session id>"} (owned or held)
//   <prefix>voice/<hex of session key>  a voice session's voice clients, on the voice lease

#include "proto/guild_settings.hpp"
#include "proto/voice_client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coord::store::etcd {

struct layout {
  std::string prefix = "/coordinator/";

  std::string state() const { return prefix + "state/"; }
  std::string guilds() const { return prefix + "state/guilds/"; }
  std::string supporters() const { return prefix + "state/supporters/"; }
  std::string election() const { return prefix + "election"; }
  std::string nodes() const { return prefix + "nodes/"; }
  std::string shards() const { return prefix + "shards/"; }
  std::string voice() const { return prefix + "voice/"; }

  std::string guild_key(std::uint64_t guild) const;
  std::string supporter_key(std::uint64_t user) const;
  std::string node_key(std::string_view node_id) const;
  std::string shard_key(std::uint32_t shard) const;
  std::string voice_key(std::string_view session_key) const;
};

/// What a key under state/ names.
struct state_key {
  enum kind_t { guild, supporter, other } kind = other;
  std::uint64_t id = 0;
};
state_key parse_state_key(const layout& l, std::string_view key);
/// The shard id of a key under shards/, if it is one.
std::optional<std::uint32_t> parse_shard_key(const layout& l, std::string_view key);
/// The session key of a key under voice/, if it is one.
std::optional<std::string> parse_voice_key(const layout& l, std::string_view key);

/// A guild's settings value (the admin API's JSON).
std::string encode_settings(const proto::guild_settings& s);
/// Reads a settings value written by a node or by hand: the admin API's fields, any subset
/// (missing ones take the defaults); nullopt when it is not such an object.
std::optional<proto::guild_settings> decode_settings(std::string_view json, std::uint64_t guild,
                                                     const std::string& default_prefix);

std::string encode_shard_owner(std::uint64_t session);
std::optional<std::uint64_t> decode_shard_owner(std::string_view json);

struct node_info {
  std::string node_id;
  std::string advertise_url;
};
std::string encode_node(const node_info& n);
std::optional<node_info> decode_node(std::string_view json);

std::string encode_voice(const std::vector<proto::voice::voice_client>& clients);
std::optional<std::vector<proto::voice::voice_client>> decode_voice(std::string_view json);

} // namespace coord::store::etcd
