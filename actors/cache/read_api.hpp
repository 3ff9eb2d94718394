#pragma once
// The cache read API (SPEC.md §4.8): /discord/... and /services, answered by asking the entity
// cache partitions (and the service directory) asynchronously. http_api hands every request
// whose path starts with /discord or /services to serve_read_api.
//
// Auth: header `Authorization: <gateway.secret>`; absent 401, wrong (or no secret configured)
// 403. Then: unknown path 404, wrong method 405, an id that is not a snowflake 400, an id
// not cached 404. Errors are {"error":"..."}. Ids are snowflake strings, channel types names
// (proto::gateway::channel_type_name). Every GET answer is 200 application/json; every DELETE
// answers 204 with no body (as the original gateway did), 404 for a record not cached:
//
//   GET    /discord/guilds/{id}          {"id","name","icon","ownerID","region","memberCount"}
//   DELETE /discord/guilds/{id}          removes the guild and everything under it (users
//                                        lose those members)
//   DELETE .../{id}/members/{mid}, .../roles/{rid}, .../channels/{cid} (with the voice
//          states in it), .../voicestates/{uid}: removes that record
//   GET    .../{id}/channels             [channel, ...] by (position, id)
//            channel = {"id","guildID","type":"voice","position","name","nsfw",
//                       "overwrites":[{"id","type":"role"|"member","allow","deny"}],
//                       "userLimit":n|null,"parentID":".."|null}; what was never sent
//                       (SPEC §4.7 null or absent) is null, the type too
//   GET    .../{id}/channels/{cid}       channel
//   GET    .../{id}/channels/{cid}/members  [voiceState, ...] in that channel, by userID;
//                                        404 when neither the channel nor a state is cached
//            voiceState = {"guildID","channelID","userID","deaf","mute","selfDeaf","selfMute"}
//   GET    .../{id}/voicestates/{uid}    voiceState
//   GET    .../{id}/members/{mid}        {"id","guildID","nickname","roles":[..],"joinedAt",
//                                         "user":{..}} ("user" only when the user is cached)
//   GET    .../{id}/roles                [role, ...] by (position, id)
//            role = {"id","guildID","name","color","position","permissions"}
//   GET    .../{id}/roles/{rid}          role
//   GET    /discord/users                {"users":N}, users cached over all partitions
//   GET    /discord/users/{id}           {"id","username","discriminator","avatar","bot"}
//   GET    /services                     [{"id":N,"type":"sharder","heapUsed":N,
//                                          "startTime":unix_ms,"shards":[..]?,"guilds":N?}]
//
// The list routes of a guild answer 404 when nothing at all is cached under the guild.
// A partition or the service directory not answering within 10 s: 503.

#include "actors/messages.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <string>
#include <vector>

namespace coord::actors {

/// What the read API needs of the rest of the node.
struct read_api_deps {
  std::string secret;                  ///< gateway.secret; empty: every request 403
  std::vector<entity_cache_actor> partitions; ///< the entity cache (spawn_entity_cache)
  service_directory_actor services;           ///< the service directory (GET /services)
};

/// True for the paths serve_read_api answers: /discord, /discord/..., /services.
bool is_read_api_path(const std::string& target);

/// Answers one request of the read API through `r`, asking other actors as `self`; never
/// blocks. Call it from a handler of `self`.
void serve_read_api(http_api_actor::pointer self, const read_api_deps& deps,
                    const ports::http_request& req, http_responder_ptr r);

/// The body of GET /services (also what /api/v1/stats lists as services).
std::string encode_services(const std::vector<service_info>& services);

} // namespace coord::actors
