// The body of GET /api/v1/dashboard: counters as the registry holds them, the broadcast
// histogram cumulative like Prometheus, closes, music, services and shards in their API forms.

#include "actors/http/dashboard_json.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace coord;
namespace json = boost::json;

namespace {

json::object encode(const actors::dashboard_input& in) {
  return json::parse(actors::encode_dashboard(in)).as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(dashboard_json)

BOOST_AUTO_TEST_CASE(counters_come_from_the_registry_per_dialect) {
  metrics::registry m;
  m.sessions[0].set(3);
  m.sessions[2].set(1);
  m.messages_in[1].inc(40);
  m.messages_out[0].inc(7);
  m.broadcasts.inc(5);
  m.voice_clients.set(2);
  m.commands[static_cast<std::size_t>(metrics::command_outcome::routed)].inc(9);
  m.commands[static_cast<std::size_t>(metrics::command_outcome::dropped_expired)].inc(1);
  actors::dashboard_input in;
  in.metrics = &m;
  in.now_ms = 1700000000123;
  in.uptime_ms = 4500;
  auto o = encode(in);
  BOOST_TEST(o.at("at").as_int64() == 1700000000123);
  BOOST_TEST(o.at("uptimeMs").as_int64() == 4500);
  BOOST_TEST(o.at("sessions").at("companion").as_int64() == 3);
  BOOST_TEST(o.at("sessions").at("gateway").as_int64() == 0);
  BOOST_TEST(o.at("sessions").at("voice").as_int64() == 1);
  BOOST_TEST(o.at("messagesIn").at("gateway").as_int64() == 40);
  BOOST_TEST(o.at("messagesOut").at("companion").as_int64() == 7);
  BOOST_TEST(o.at("broadcasts").as_int64() == 5);
  BOOST_TEST(o.at("voiceClients").as_int64() == 2);
  BOOST_TEST(o.at("commands").at("routed").as_int64() == 9);
  BOOST_TEST(o.at("commands").at("buffered").as_int64() == 0);
  BOOST_TEST(o.at("commands").at("dropped_expired").as_int64() == 1);
  BOOST_TEST(o.at("commands").at("dropped_overflow").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(a_single_node_says_so_and_a_cluster_role_is_passed_on) {
  metrics::registry m;
  actors::dashboard_input in;
  in.metrics = &m;
  auto single = encode(in).at("cluster").as_object();
  BOOST_TEST(single.at("mode").as_string() == "single");
  BOOST_TEST(single.at("role").is_null());
  in.cluster_role = "standby";
  auto cluster = encode(in).at("cluster").as_object();
  BOOST_TEST(cluster.at("mode").as_string() == "cluster");
  BOOST_TEST(cluster.at("role").as_string() == "standby");
}

BOOST_AUTO_TEST_CASE(broadcast_histogram_is_cumulative_with_inf_last) {
  metrics::registry m;
  m.broadcast_seconds.observe(0.00003); // first bucket (<= 50 µs)
  m.broadcast_seconds.observe(0.0002);  // <= 250 µs
  m.broadcast_seconds.observe(0.0002);
  m.broadcast_seconds.observe(60);      // +Inf
  actors::dashboard_input in;
  in.metrics = &m;
  auto h = encode(in).at("broadcastSeconds").as_object();
  const auto& bounds = h.at("bounds").as_array();
  const auto& buckets = h.at("buckets").as_array();
  BOOST_REQUIRE_EQUAL(bounds.size(), metrics::histogram::bounds.size());
  BOOST_REQUIRE_EQUAL(buckets.size(), bounds.size() + 1);
  BOOST_TEST(bounds[0].as_double() == 0.00005);
  BOOST_TEST(buckets[0].as_int64() == 1);
  BOOST_TEST(buckets[1].as_int64() == 1); // <= 100 µs
  BOOST_TEST(buckets[2].as_int64() == 3); // <= 250 µs
  BOOST_TEST(buckets[bounds.size() - 1].as_int64() == 3);
  BOOST_TEST(buckets.back().as_int64() == 4);
  BOOST_TEST(h.at("count").as_int64() == 4);
  for (std::size_t i = 1; i < buckets.size(); ++i)
    BOOST_TEST(buckets[i].as_int64() >= buckets[i - 1].as_int64());
}

BOOST_AUTO_TEST_CASE(closes_music_services_and_shards_in_their_api_forms) {
  metrics::registry m;
  m.count_close(0, 4001);
  m.count_close(0, 4001);
  m.count_close(1, 1000);
  actors::dashboard_input in;
  in.metrics = &m;
  in.music.playing = 4;
  in.music.shards = {{0, 4, 1700000000000}};
  actors::service_info sharder;
  sharder.id = 12;
  sharder.type = proto::gateway::service_type::sharder;
  sharder.heap_used = 1024;
  sharder.start_time_ms = 1700000000000;
  sharder.shards = std::vector<std::uint32_t>{0};
  in.services = {sharder};
  in.shards.shard_count = 2;
  actors::shard_plan_entry owned;
  owned.shard = 0;
  owned.status = actors::shard_status::owned;
  owned.owner = 12;
  actors::shard_plan_entry free;
  free.shard = 1;
  in.shards.shards = {owned, free};
  actors::identify_bucket_plan bucket;
  bucket.waiting.push_back(actors::identify_wait{12, 1});
  bucket.next_grant_in_ms = 3000;
  in.shards.buckets = {bucket};
  auto o = encode(in);

  const auto& closes = o.at("closes").as_array();
  BOOST_REQUIRE_EQUAL(closes.size(), 2u);
  BOOST_TEST(closes[0].at("dialect").as_string() == "companion");
  BOOST_TEST(closes[0].at("code").as_int64() == 4001);
  BOOST_TEST(closes[0].at("count").as_int64() == 2);
  BOOST_TEST(closes[1].at("dialect").as_string() == "gateway");

  BOOST_TEST(o.at("music").at("playing").as_int64() == 4);
  BOOST_TEST(o.at("music").at("shards").as_array()[0].at("playingMusic").as_int64() == 4);

  const auto& services = o.at("services").as_array();
  BOOST_REQUIRE_EQUAL(services.size(), 1u);
  BOOST_TEST(services[0].at("type").as_string() == "sharder");
  BOOST_TEST(services[0].at("heapUsed").as_int64() == 1024);
  BOOST_TEST(services[0].at("startTime").as_int64() == 1700000000000);

  const auto& shards = o.at("shards").as_object();
  BOOST_TEST(shards.at("shardCount").as_int64() == 2);
  BOOST_TEST(shards.at("shards").as_array()[0].at("state").as_string() == "owned");
  BOOST_TEST(shards.at("shards").as_array()[0].at("session").as_int64() == 12);
  BOOST_TEST(shards.at("shards").as_array()[1].at("session").is_null());
  BOOST_TEST(shards.at("buckets").as_array()[0].at("waiting").as_array()[0].at("shard").as_int64()
             == 1);
}

BOOST_AUTO_TEST_SUITE_END()
