// A companion session's liveness on the deterministic coordinator: net/ reports pongs, the
// heartbeat monitor owns the deadline, the session closes with 4007 "ping timeout" when no
// pong came for its ping_timeout, and counts it.

#include "tests/actors/fixture.hpp"

#include "actors/broker/broker.hpp"
#include "actors/companion/companion_session.hpp"
#include "actors/companion/shard_stats.hpp"
#include "actors/liveness/heartbeat_monitor.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/actor_cast.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

namespace {

struct liveness_fixture : actor_fixture {
  liveness_fixture() {
    broker = track(sys.spawn(actors::broker, &metrics));
    stats = track(sys.spawn(actors::shard_stats, caf::timespan{90s}, &metrics,
                            actors::wall_clock{}));
    monitor = track(sys.spawn(actors::heartbeat_monitor, caf::timespan{250ms}));
    sched.run();
  }

  ~liveness_fixture() {
    if (sink)
      sink->on_closed(1006);
    sched.run();
  }

  /// A session whose pongs must come within `timeout` (0: not watched).
  void open(caf::timespan timeout) {
    conn = std::make_shared<fake_connection>(1, ports::dialect::companion);
    actors::companion_deps deps{"k", 0, broker,
                                caf::actor_cast<actors::settings_store_actor>(self), stats,
                                &metrics};
    deps.monitor = monitor;
    deps.ping_timeout = timeout;
    sink = actors::open_companion_session(sys, conn, deps);
    sched.run();
  }

  /// Moves the actor clock forward by `d` in monitor ticks, running what falls due.
  void advance(caf::timespan d) {
    for (auto left = d; left > caf::timespan{0}; left -= caf::timespan{250ms}) {
      sched.advance_time(std::min<caf::timespan>(left, 250ms));
      sched.run();
    }
  }

  std::uint16_t code() const { return conn->closed ? conn->closed->first : 0; }

  actors::broker_actor broker;
  actors::shard_stats_actor stats;
  actors::heartbeat_monitor_actor monitor;
  std::shared_ptr<fake_connection> conn;
  std::shared_ptr<ports::session_sink> sink;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(companion_liveness, liveness_fixture)

BOOST_AUTO_TEST_CASE(no_pong_for_the_timeout_closes_with_4007_ping_timeout_once) {
  open(2s);
  advance(1500ms);
  BOOST_TEST(code() == 0);
  advance(1s);
  BOOST_TEST(code() == 4007);
  BOOST_TEST(conn->closed->second == "ping timeout");
  BOOST_TEST(metrics.heartbeat_timeouts[0].value() == 1u);
  advance(5s); // the monitor forgot it; nothing closes twice
  BOOST_TEST(metrics.heartbeat_timeouts[0].value() == 1u);
}

BOOST_AUTO_TEST_CASE(pongs_keep_the_session_open) {
  open(2s);
  for (int i = 0; i < 10; ++i) {
    advance(1s);
    sink->on_pong();
    sched.run();
  }
  BOOST_TEST(code() == 0);
  advance(2500ms);
  BOOST_TEST(code() == 4007);
}

BOOST_AUTO_TEST_CASE(without_pings_nothing_is_watched) {
  open(caf::timespan{0});
  advance(10s);
  BOOST_TEST(code() == 0);
  BOOST_TEST(metrics.heartbeat_timeouts[0].value() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
