// The shard-stats aggregator: latest report per shard, staleness, closed sessions.

#include "tests/actors/fixture.hpp"

#include "actors/shard_stats.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;

namespace {

struct stats_fixture : actor_fixture {
  stats_fixture() {
    stats = track(sys.spawn(actors::shard_stats, caf::timespan{std::chrono::seconds(90)}, &metrics));
  }
  void report(std::uint64_t session, std::int64_t shard, std::int64_t playing) {
    caf::anon_send(stats, actors::music_stats_atom::value, session, shard, playing);
    sched.run();
  }
  actors::music_snapshot snapshot() {
    self->send(stats, actors::music_get_atom::value);
    sched.run();
    actors::music_snapshot out;
    self->receive([&](const actors::music_snapshot& s) { out = s; });
    return out;
  }
  caf::actor stats;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(shard_stats, stats_fixture)

BOOST_AUTO_TEST_CASE(latest_report_per_shard_counts) {
  report(1, 0, 5);
  report(1, 1, 2);
  report(1, 0, 3);
  auto s = snapshot();
  BOOST_TEST(s.playing == 5);
  BOOST_REQUIRE_EQUAL(s.shards.size(), 2u);
  BOOST_TEST(s.shards[0].playing_music == 3);
  BOOST_TEST(s.shards[0].updated_at_ms > 0);
  BOOST_TEST(metrics.render().find("coordinator_music_playing{shard=\"1\"} 2")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stale_reports_stop_counting) {
  report(1, 0, 5);
  // The stale timer fires: the shard is gone.
  BOOST_TEST(sched.trigger_timeouts() >= 1u);
  sched.run();
  BOOST_TEST(snapshot().shards.empty());
}

BOOST_AUTO_TEST_CASE(a_newer_report_survives_the_older_ones_timer) {
  report(1, 0, 5);
  report(1, 0, 6);
  // Only the first report's timer fires; the second report is still fresh.
  BOOST_TEST(sched.trigger_timeout());
  sched.run();
  auto s = snapshot();
  BOOST_REQUIRE_EQUAL(s.shards.size(), 1u);
  BOOST_TEST(s.shards[0].playing_music == 6);
}

BOOST_AUTO_TEST_CASE(a_closed_session_stops_counting) {
  report(1, 0, 5);
  report(2, 1, 4);
  caf::anon_send(stats, actors::forget_atom::value, std::uint64_t{1});
  sched.run();
  auto s = snapshot();
  BOOST_REQUIRE_EQUAL(s.shards.size(), 1u);
  BOOST_TEST(s.shards[0].shard_id == 1);
  BOOST_TEST(s.playing == 4);
}

BOOST_AUTO_TEST_SUITE_END()
