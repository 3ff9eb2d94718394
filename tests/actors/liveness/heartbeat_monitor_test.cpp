// The heartbeat monitor on the deterministic coordinator: the monitor reads the actor clock,
// which the test moves with advance_time (firing the tick timer on the way).

#include "tests/actors/fixture.hpp"

#include "actors/liveness/heartbeat_monitor.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/send.hpp>

#include <string>
#include <vector>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

namespace {

using clock = actors::heartbeat_monitor_state::clock;

struct monitor_fixture : actor_fixture {
  monitor_fixture() {
    monitor = track(sys.spawn(actors::heartbeat_monitor, caf::timespan{250ms}));
    sched.run();
  }

  void watch(std::uint64_t id, caf::scoped_actor& who, caf::timespan warn, caf::timespan close) {
    caf::anon_send(monitor, actors::hb_watch_atom::value, id,
                   caf::actor_cast<actors::session_actor>(who), warn, close);
    sched.run();
  }

  void touch(std::uint64_t id) {
    caf::anon_send(monitor, actors::hb_touch_atom::value, id);
    sched.run();
  }

  /// Moves the actor clock to `t` after the start (firing the tick that is due), then lets
  /// the tick run.
  void at(caf::timespan t) {
    sched.advance_time(start + t - sched.clock().now());
    sched.run();
  }

  /// What `who` was sent since the last call: "warn" and "expired", in order.
  static std::vector<std::string> received(caf::scoped_actor& who) {
    std::vector<std::string> out;
    bool more = true;
    while (more)
      who->receive([&](actors::hb_warn_atom) { out.emplace_back("warn"); },
                   [&](actors::hb_expired_atom) { out.emplace_back("expired"); },
                   caf::after(0s) >> [&] { more = false; });
    return out;
  }

  using events = std::vector<std::string>;

  const clock::time_point start = sched.clock().now();
  actors::heartbeat_monitor_actor monitor;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(heartbeat_monitor, monitor_fixture)

BOOST_AUTO_TEST_CASE(an_idle_monitor_has_no_timer) {
  BOOST_TEST(!sched.has_pending_timeout());
  watch(1, self, 0s, 20s);
  BOOST_TEST(sched.has_pending_timeout());
  caf::anon_send(monitor, actors::hb_unwatch_atom::value, std::uint64_t{1});
  sched.run();
  at(1s); // the tick that was already scheduled finds nothing and schedules no other
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(warns_once_then_expires) {
  watch(1, self, 10s, 20s);
  at(5s);
  BOOST_TEST(received(self).empty());
  at(11s);
  BOOST_TEST((received(self) == events{"warn"}));
  at(15s);
  BOOST_TEST(received(self).empty());
  at(21s);
  BOOST_TEST((received(self) == events{"expired"}));
  // Forgotten after the expiry: nothing more, and the monitor stops ticking.
  at(100s);
  BOOST_TEST(received(self).empty());
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(no_warning_when_warn_after_is_zero) {
  watch(1, self, 0s, 20s);
  at(19s);
  BOOST_TEST(received(self).empty());
  at(20s);
  BOOST_TEST((received(self) == events{"expired"}));
}

BOOST_AUTO_TEST_CASE(a_long_stall_sends_only_the_expiry) {
  watch(1, self, 10s, 20s);
  at(30s);
  BOOST_TEST((received(self) == events{"expired"}));
}

BOOST_AUTO_TEST_CASE(touch_postpones_both_deadlines) {
  watch(1, self, 10s, 20s);
  at(9s);
  touch(1);
  at(18s); // 9 s after the touch: no warning yet
  BOOST_TEST(received(self).empty());
  at(19s);
  BOOST_TEST((received(self) == events{"warn"}));
  touch(1);
  at(28s);
  BOOST_TEST(received(self).empty());
  at(29s); // a new silence warns again
  BOOST_TEST((received(self) == events{"warn"}));
  at(39s);
  BOOST_TEST((received(self) == events{"expired"}));
}

BOOST_AUTO_TEST_CASE(unwatch_stops_watching) {
  watch(1, self, 10s, 20s);
  caf::anon_send(monitor, actors::hb_unwatch_atom::value, std::uint64_t{1});
  sched.run();
  at(60s);
  BOOST_TEST(received(self).empty());
  touch(1); // unknown ids are ignored
  at(120s);
  BOOST_TEST(received(self).empty());
}

BOOST_AUTO_TEST_CASE(watching_again_replaces_the_old_deadlines) {
  watch(1, self, 0s, 10s);
  at(8s);
  watch(1, self, 0s, 10s);
  at(12s);
  BOOST_TEST(received(self).empty());
  at(18s);
  BOOST_TEST((received(self) == events{"expired"}));
}

BOOST_AUTO_TEST_CASE(each_session_has_its_own_deadline) {
  caf::scoped_actor a{sys};
  caf::scoped_actor b{sys};
  caf::scoped_actor c{sys};
  watch(1, a, 0s, 10s);
  watch(2, b, 0s, 20s);
  watch(3, c, 0s, 30s);
  at(5s);
  touch(1); // a now expires at 15 s
  at(16s);
  BOOST_TEST((received(a) == events{"expired"}));
  BOOST_TEST(received(b).empty());
  at(21s);
  BOOST_TEST((received(b) == events{"expired"}));
  BOOST_TEST(received(c).empty());
  at(31s);
  BOOST_TEST((received(c) == events{"expired"}));
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(many_sessions_expire_in_one_tick) {
  std::vector<std::unique_ptr<caf::scoped_actor>> sessions;
  for (std::uint64_t id = 1; id <= 50; ++id) {
    sessions.push_back(std::make_unique<caf::scoped_actor>(sys));
    watch(id, *sessions.back(), 0s, caf::timespan{std::chrono::seconds(id)});
  }
  at(25s);
  std::size_t expired = 0;
  for (auto& s : sessions)
    expired += received(*s).size();
  BOOST_TEST(expired == 25u);
  at(60s);
  for (auto& s : sessions)
    expired += received(*s).size();
  BOOST_TEST(expired == 50u);
}

BOOST_AUTO_TEST_SUITE_END()
