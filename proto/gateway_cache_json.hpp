#pragma once
// Gateway cache records as the cache read API returns them (SPEC.md §4.8): the seed's field
// names, snowflakes as strings, channel types as names.

#include "proto/gateway_cache.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace coord::proto::gateway {

/// The read API's name for a channel type: 0 text, 1 dm, 2 voice, 3 groupdm, 4 category, and
/// Discord's later types (5 news, 13 stage, 15 forum, ...); "unknown" for anything else.
std::string_view channel_type_name(std::uint8_t type) noexcept;

/// {"id","username","discriminator","avatar","bot"}.
void append_json(std::string& out, const user& u);
/// {"id","guildID","nickname","roles":[..],"joinedAt","user":{..}}; no "user" if u is null.
/// What is unknown (SPEC §4.7: sent null or absent, never known) is written as null.
void append_json(std::string& out, const member& m, const user* u);
/// {"id","guildID","name","color","position","permissions"}.
void append_json(std::string& out, const role& r);
/// {"id","guildID","type":"text"|null,..,"position","name","nsfw","overwrites":[{id,type,allow,
/// deny}]|null,"userLimit":n|null,"parentID":".."|null}.
void append_json(std::string& out, const channel& c);
/// {"guildID","channelID","userID","deaf","mute","selfDeaf","selfMute"}.
void append_json(std::string& out, const voice_state& v);
/// {"id","name","icon","ownerID","region","memberCount"}; the nested records are served apart.
void append_json(std::string& out, const guild& g);

/// One record as a JSON text (see append_json).
template <class Record>
std::string to_json(const Record& r) {
  std::string out;
  append_json(out, r);
  return out;
}

/// A member with its user as a JSON text.
inline std::string to_json(const member& m, const user* u) {
  std::string out;
  append_json(out, m, u);
  return out;
}

} // namespace coord::proto::gateway
