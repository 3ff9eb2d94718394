#include "actors/http/dashboard_json.hpp"

#include "actors/http/admin_json.hpp"
#include "actors/cache/read_api.hpp"

#include <boost/json.hpp>

namespace coord::actors {

namespace json = boost::json;

namespace {

template <class Array>
json::object per_dialect(const Array& values) {
  json::object o;
  for (std::size_t d = 0; d < metrics::dialects; ++d)
    o[metrics::dialect_names[d]] = values[d].value();
  return o;
}

json::object histogram_json(const metrics::histogram& h) {
  json::array bounds;
  for (double b : metrics::histogram::bounds)
    bounds.push_back(b);
  json::array buckets;
  std::uint64_t cumulative = 0;
  for (auto n : h.buckets()) {
    cumulative += n;
    buckets.push_back(cumulative);
  }
  return {{"bounds", std::move(bounds)},
          {"buckets", std::move(buckets)},
          {"count", h.count()},
          {"sum", h.sum()}};
}

json::array closes_json(const metrics::registry& m) {
  json::array out;
  for (const auto& [key, n] : m.closes())
    out.push_back(json::object{{"dialect", metrics::dialect_names[key.first]},
                               {"code", key.second},
                               {"count", n}});
  return out;
}

} // namespace

std::string encode_dashboard(const dashboard_input& in) {
  const auto& m = *in.metrics;
  json::object commands;
  for (std::size_t i = 0; i < metrics::command_outcomes; ++i)
    commands[metrics::command_outcome_names[i]] = m.commands[i].value();
  json::array music_shards;
  for (const auto& s : in.music.shards)
    music_shards.push_back(json::object{{"shardId", s.shard_id},
                                        {"playingMusic", s.playing_music},
                                        {"updatedAt", s.updated_at_ms}});
  json::object cluster{{"mode", in.cluster_role.empty() ? "single" : "cluster"}};
  cluster["role"] = in.cluster_role.empty() ? json::value(nullptr) : json::value(in.cluster_role);
  json::object out{
    {"at", in.now_ms},
    {"uptimeMs", in.uptime_ms},
    {"cluster", std::move(cluster)},
    {"sessions", per_dialect(m.sessions)},
    {"messagesIn", per_dialect(m.messages_in)},
    {"messagesOut", per_dialect(m.messages_out)},
    {"broadcasts", m.broadcasts.value()},
    {"broadcastSeconds", histogram_json(m.broadcast_seconds)},
    {"commands", std::move(commands)},
    {"voiceClients", m.voice_clients.value()},
    {"closes", closes_json(m)},
    {"music", json::object{{"playing", in.music.playing}, {"shards", std::move(music_shards)}}},
    // The same forms as GET /services and GET /api/v1/shards, so one reader serves both.
    {"services", json::parse(encode_services(in.services))},
    {"shards", json::parse(encode_shards(in.shards))},
  };
  return json::serialize(out);
}

} // namespace coord::actors
