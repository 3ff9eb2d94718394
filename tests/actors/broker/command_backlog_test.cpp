// The broker and the command router together on the deterministic coordinator (SPEC.md §4.6,
// §4.9): commands that waited for a worker are handed back before anything routed after the
// worker joined, and a worker coming back by RESUME takes the queue too.

#include "tests/actors/gateway_fixture.hpp"

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;
using outcome = metrics::command_outcome;

namespace {

constexpr std::uint64_t sharder = 100;
using strings = std::vector<std::string>;

struct backlog_fixture : gateway_fixture {
  backlog_fixture() { identified(sharder, "sharder"); }

  void send_command(std::uint64_t guild, const std::string& raw) {
    frame(sharder, command_json(guild, raw));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(command_backlog, backlog_fixture)

BOOST_AUTO_TEST_CASE(waiting_commands_go_before_one_sent_as_the_worker_joins) {
  send_command(1, "a");
  send_command(2, "b");
  BOOST_TEST(commands(outcome::buffered) == 2u);
  // The worker's IDENTIFY and a new command are in flight together: the broker sees the
  // identify first and must not route "c" before the queue it asks the router for.
  open(1);
  sinks.at(1)->on_frame(identify_json("commands"), false);
  sinks.at(sharder)->on_frame(command_json(3, "c"), false);
  sched.run();
  BOOST_TEST((commands_of(*conns.at(1)) == strings{"a", "b", "c"}));
  BOOST_TEST(commands(outcome::routed) == 3u);
  BOOST_TEST(commands(outcome::buffered) == 2u);
}

BOOST_AUTO_TEST_CASE(a_worker_back_by_resume_takes_what_waited_meanwhile) {
  identified(1, "commands");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  advance(2s); // the grace ends: the routing set is empty, commands wait in the router
  send_command(1, "a");
  BOOST_TEST(commands(outcome::buffered) == 1u);
  auto c = open(2);
  frame(2, resume_json(sid, seen));
  BOOST_REQUIRE_EQUAL(events_of(*c, "RESUMED").size(), 1u);
  BOOST_TEST((commands_of(*c) == strings{"a"}));
  BOOST_TEST(commands(outcome::routed) == 1u);
}

BOOST_AUTO_TEST_CASE(the_directory_lists_a_resumable_session_until_its_window_ends) {
  identified(1, "commands");
  BOOST_TEST(services().size() == 2u); // the sharder and the worker
  closed(1, 1006);
  BOOST_TEST(services().size() == 2u); // resumable: still listed, as before the split
  advance(61s);
  BOOST_TEST(services().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
