// The shard-stats aggregator: latest report per shard, staleness, closed sessions. Time is the
// deterministic coordinator's: staleness follows the actor clock, updatedAt a wall clock the
// test derives from it.

#include "tests/actors/fixture.hpp"

#include "actors/companion/shard_stats.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;

namespace {

struct stats_fixture : actor_fixture {
  stats_fixture() {
    stats = track(sys.spawn(actors::shard_stats, caf::timespan{std::chrono::seconds(90)}, &metrics,
                            wall));
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
  /// Moves the clock `d` on, firing the timers that are due, and delivers what they sent.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }
  /// Timers pending on the coordinator's clock.
  std::size_t timers() const { return sched.clock().schedule().size(); }

  actors::wall_clock wall = test_wall_clock();
  const std::int64_t wall_base = wall(); ///< the wall clock when the test starts
  actors::shard_stats_actor stats;
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
  BOOST_TEST(s.shards[0].updated_at_ms == wall_base);
  BOOST_TEST(metrics.render().find("coordinator_music_playing{shard=\"1\"} 2")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stale_reports_stop_counting) {
  report(1, 0, 5);
  // The stale timer fires: the shard is gone.
  BOOST_TEST(sched.trigger_timeouts() >= 1u);
  sched.run();
  BOOST_TEST(snapshot().shards.empty());
  BOOST_TEST(metrics.render().find("coordinator_music_playing{shard=\"0\"}") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_report_counts_for_exactly_stale_after_on_the_actor_clock) {
  report(1, 0, 5);
  advance(std::chrono::seconds(30));
  report(1, 1, 2); // stale at 120 s
  advance(std::chrono::milliseconds(59999));
  BOOST_TEST(snapshot().shards.size() == 2u);
  advance(std::chrono::milliseconds(1)); // 90 s: shard 0 goes stale, shard 1 stays
  auto s = snapshot();
  BOOST_REQUIRE_EQUAL(s.shards.size(), 1u);
  BOOST_TEST(s.shards[0].shard_id == 1);
  // updatedAt is the wall clock when the report came, 30 s after the first one.
  BOOST_TEST(s.shards[0].updated_at_ms == wall_base + 30000);
  advance(std::chrono::milliseconds(29999));
  BOOST_TEST(snapshot().shards.size() == 1u);
  advance(std::chrono::milliseconds(1));
  BOOST_TEST(snapshot().shards.empty());
  // Nothing kept, nothing scheduled.
  BOOST_TEST(timers() == 0u);
}

BOOST_AUTO_TEST_CASE(a_newer_report_survives_the_older_ones_expiry) {
  report(1, 0, 5);
  advance(std::chrono::seconds(60));
  report(1, 0, 6);
  advance(std::chrono::seconds(30)); // the first report's 90 s are over, the second's not
  auto s = snapshot();
  BOOST_REQUIRE_EQUAL(s.shards.size(), 1u);
  BOOST_TEST(s.shards[0].playing_music == 6);
  BOOST_TEST(s.shards[0].updated_at_ms == wall_base + 60000);
  advance(std::chrono::seconds(60)); // 150 s: the second report's 90 s are over
  BOOST_TEST(snapshot().shards.empty());
}

BOOST_AUTO_TEST_CASE(one_timer_however_many_reports) {
  for (std::int64_t shard = 0; shard < 100; ++shard)
    for (std::int64_t i = 0; i < 3; ++i)
      report(std::uint64_t(shard % 4), shard, i);
  BOOST_TEST(timers() == 1u);
  BOOST_TEST(snapshot().shards.size() == 100u);
  advance(std::chrono::seconds(45));
  for (std::int64_t shard = 0; shard < 50; ++shard)
    report(1, shard, 1);
  BOOST_TEST(timers() == 1u);
  advance(std::chrono::seconds(45)); // 90 s: the 50 not renewed go
  BOOST_TEST(snapshot().shards.size() == 50u);
  BOOST_TEST(timers() == 1u);
  advance(std::chrono::seconds(45)); // 135 s: the renewed ones go too
  BOOST_TEST(snapshot().shards.empty());
  BOOST_TEST(timers() == 0u);
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
