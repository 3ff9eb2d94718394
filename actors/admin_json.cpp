#include "actors/admin_json.hpp"

#include <boost/json.hpp>

namespace coord::actors {

std::string encode_stats(const music_snapshot& music, const metrics::registry& metrics) {
  namespace json = boost::json;
  json::array shards;
  shards.reserve(music.shards.size());
  for (const auto& s : music.shards)
    shards.push_back(json::object{{"shardId", s.shard_id},
                                  {"playingMusic", s.playing_music},
                                  {"updatedAt", s.updated_at_ms}});
  json::object sessions;
  for (std::size_t d = 0; d < metrics::dialects; ++d)
    sessions[metrics::dialect_names[d]] = metrics.sessions[d].value();
  json::object out{
    {"music", json::object{{"playing", music.playing}, {"shards", std::move(shards)}}},
    {"services", json::array{}},
    {"sessions", std::move(sessions)},
  };
  return json::serialize(out);
}

std::string encode_sessions(const std::vector<session_info>& sessions) {
  namespace json = boost::json;
  json::array xs;
  xs.reserve(sessions.size());
  for (const auto& s : sessions)
    xs.push_back(json::object{{"id", s.id},
                              {"dialect", net::to_string(s.dialect)},
                              {"remote", s.remote},
                              {"queuedBytes", s.queued_bytes},
                              {"receiving", s.receiving}});
  return json::serialize(json::object{{"sessions", std::move(xs)}});
}

} // namespace coord::actors
