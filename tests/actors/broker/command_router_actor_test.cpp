// The command router actor on the deterministic coordinator (SPEC.md §4.6): the wait queue of
// commands that found no worker, its bounds, its expiry tick and its counts. Routing through
// real sessions and the broker is command_routing_test.cpp.

#include "tests/actors/fixture.hpp"

#include "actors/broker/command_router_actor.hpp"

#include <boost/test/unit_test.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;
using outcome = metrics::command_outcome;

namespace {

struct router_fixture : actor_fixture {
  router_fixture() {
    router = sys.spawn(actors::command_router_behavior, &metrics, std::size_t{2},
                       caf::timespan{30s});
    track(router);
    sched.run();
  }

  void wait(std::uint64_t guild, const std::string& json) {
    caf::anon_send(router, actors::command_wait_atom::value, guild, ports::make_buffer(json));
    sched.run();
  }

  std::vector<actors::waiting_command> take() {
    return ask<std::vector<actors::waiting_command>>(router, actors::command_take_atom::value);
  }

  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }

  std::uint64_t commands(outcome o) const {
    return metrics.commands[static_cast<std::size_t>(o)].value();
  }

  actors::command_router_actor router;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(command_router_actor, router_fixture)

BOOST_AUTO_TEST_CASE(waiting_commands_are_handed_over_oldest_first_once) {
  wait(1, "a");
  wait(2, "b");
  BOOST_TEST(commands(outcome::buffered) == 2u);
  auto xs = take();
  BOOST_REQUIRE_EQUAL(xs.size(), 2u);
  BOOST_TEST(xs[0].guild == 1u);
  BOOST_TEST(*xs[0].json == "a");
  BOOST_TEST(xs[1].guild == 2u);
  BOOST_TEST(*xs[1].json == "b");
  BOOST_TEST(take().empty());
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts_the_newcomer) {
  wait(1, "a");
  wait(2, "b");
  wait(3, "c");
  BOOST_TEST(commands(outcome::buffered) == 2u);
  BOOST_TEST(commands(outcome::dropped_overflow) == 1u);
  BOOST_TEST(take().size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_tick_drops_expired_commands_without_a_worker) {
  wait(1, "old");
  advance(10s);
  wait(2, "young");
  advance(21s); // old is 31 s old: the one-second tick found it
  BOOST_TEST(commands(outcome::dropped_expired) == 1u);
  auto xs = take();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(*xs[0].json == "young");
  // Nothing waits: no tick is pending, the clock moves on without a count.
  advance(60s);
  BOOST_TEST(commands(outcome::dropped_expired) == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_older_than_the_ttl_is_handed_over) {
  wait(1, "a");
  sched.advance_time(31s);
  BOOST_TEST(take().empty());
  BOOST_TEST(commands(outcome::dropped_expired) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
