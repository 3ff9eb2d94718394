#include "actors/http/admin_json.hpp"

#include <boost/json.hpp>

namespace coord::actors {

std::string encode_stats(const music_snapshot& music, const metrics::registry& metrics,
                         const std::string& services_json) {
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
    {"services", json::parse(services_json)},
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
                              {"dialect", ports::to_string(s.dialect)},
                              // SPEC §6/§4.9: connected, or resumable
                              {"state", s.state},
                              {"remote", s.remote},
                              {"queuedBytes", s.queued_bytes},
                              {"receiving", s.receiving}});
  return json::serialize(json::object{{"sessions", std::move(xs)}});
}

std::string encode_shards(const shard_plan& plan) {
  namespace json = boost::json;
  static constexpr const char* states[] = {"owned", "held", "free"};
  json::array shards;
  for (const auto& s : plan.shards) {
    json::object o{{"shard", s.shard}, {"state", states[static_cast<int>(s.status)]}};
    o["session"] = s.owner == 0 ? json::value(nullptr) : json::value(s.owner);
    if (s.status == shard_status::held)
      o["releaseInMs"] = s.release_in_ms;
    shards.push_back(std::move(o));
  }
  json::array buckets;
  for (const auto& b : plan.buckets) {
    json::array waiting;
    for (const auto& w : b.waiting)
      waiting.push_back(json::object{{"session", w.session}, {"shard", w.shard}});
    buckets.push_back(json::object{{"bucket", b.bucket},
                                   {"waiting", std::move(waiting)},
                                   {"nextGrantInMs", b.next_grant_in_ms}});
  }
  return json::serialize(json::object{{"shardCount", plan.shard_count},
                                      {"share", plan.share},
                                      {"maxConcurrency", plan.max_concurrency},
                                      {"shards", std::move(shards)},
                                      {"buckets", std::move(buckets)},
                                      {"grants", plan.grants}});
}

} // namespace coord::actors
