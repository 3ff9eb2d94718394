// EXECUTE_COMMAND routing through real gateway sessions and the broker on the deterministic
// coordinator (SPEC.md §4.6, §4.9 "Commands while a worker is away"): what each commands
// worker receives, and the coordinator_commands_total counters. The pure router has its own
// tests (command_router_test.cpp).

#include "tests/actors/gateway_fixture.hpp"

#include <algorithm>
#include <set>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;
using outcome = metrics::command_outcome;

namespace {

constexpr std::uint64_t sharder = 100; // the connection the commands come from

struct routing_fixture : gateway_fixture {
  routing_fixture() { identified(sharder, "sharder"); }

  /// The sharder sends one EXECUTE_COMMAND.
  void send_command(std::uint64_t guild, const std::string& raw) {
    frame(sharder, command_json(guild, raw));
    BOOST_REQUIRE(!conns.at(sharder)->closed);
  }

  /// A guild that the router gives to `worker` (found by sending probes, as a client would).
  std::uint64_t guild_of(std::uint64_t worker) {
    for (std::uint64_t g = 1; g < 200; ++g) {
      auto raw = "probe" + std::to_string(g);
      send_command(g, raw);
      auto got = commands_of(*conns.at(worker));
      if (std::find(got.begin(), got.end(), raw) != got.end())
        return g;
    }
    BOOST_FAIL("no guild routed to worker " << worker);
    return 0;
  }

  /// The commands named in `raws` that connection `id` received, in its order.
  std::vector<std::string> got(std::uint64_t id, const std::set<std::string>& raws) {
    std::vector<std::string> out;
    for (auto& r : commands_of(*conns.at(id)))
      if (raws.count(r) != 0)
        out.push_back(r);
    return out;
  }
};

using strings = std::vector<std::string>;

} // namespace

BOOST_FIXTURE_TEST_SUITE(command_routing, routing_fixture)

BOOST_AUTO_TEST_CASE(each_command_goes_to_exactly_one_commands_worker) {
  auto w1 = identified(1, "commands");
  auto w2 = identified(2, "commands");
  auto dash = identified(3, "dashboard");
  for (std::uint64_t g = 1; g <= 40; ++g)
    send_command(g, "c" + std::to_string(g));
  auto a = commands_of(*w1);
  auto b = commands_of(*w2);
  BOOST_TEST(!a.empty());
  BOOST_TEST(!b.empty());
  BOOST_TEST(a.size() + b.size() == 40u);
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  BOOST_TEST(all.size() == 40u); // none twice, none lost
  BOOST_TEST(commands_of(*dash).empty());
  BOOST_TEST(commands_of(*conns.at(sharder)).empty());
  BOOST_TEST(commands(outcome::routed) == 40u);
  BOOST_TEST(commands(outcome::buffered) == 0u);

  // Only the validated fields are forwarded, numbered like every op 2.
  auto ev = events_of(*w1, "EXECUTE_COMMAND").front();
  BOOST_TEST(ev.has_s());
  BOOST_TEST(ev.d().at("command").as_string() == "ping");
  BOOST_TEST(ev.d().size() == 3u); // command, raw, ids
  BOOST_TEST(ev.d().at("ids").at("channel").as_string() == "3");
}

BOOST_AUTO_TEST_CASE(a_guild_stays_on_one_worker_in_order_while_it_is_connected) {
  identified(1, "commands");
  identified(2, "commands");
  identified(3, "commands");
  for (int round = 0; round < 5; ++round)
    for (std::uint64_t g = 10; g < 20; ++g)
      send_command(g, std::to_string(g) + "/" + std::to_string(round));
  std::map<std::uint64_t, std::uint64_t> owner;
  std::set<std::uint64_t> used;
  for (std::uint64_t g = 10; g < 20; ++g) {
    strings want;
    for (int round = 0; round < 5; ++round)
      want.push_back(std::to_string(g) + "/" + std::to_string(round));
    std::set<std::string> names(want.begin(), want.end());
    int holders = 0;
    for (std::uint64_t w : {1, 2, 3}) {
      auto seen = got(w, names);
      if (seen.empty())
        continue;
      ++holders;
      owner[g] = w;
      used.insert(w);
      BOOST_TEST(seen == want, boost::test_tools::per_element());
    }
    BOOST_TEST(holders == 1, "guild " << g << " on " << holders << " workers");
  }
  BOOST_TEST(used.size() > 1u); // the load spreads
  // A worker that leaves moves only its own guilds.
  std::uint64_t leaving = owner.at(10);
  closed(leaving, proto::close::normal);
  for (std::uint64_t g = 10; g < 20; ++g)
    send_command(g, std::to_string(g) + "/after");
  for (std::uint64_t g = 10; g < 20; ++g) {
    const std::set<std::string> name{std::to_string(g) + "/after"};
    if (owner[g] != leaving) {
      BOOST_TEST(got(owner[g], name).size() == 1u, "guild " << g << " moved");
    } else {
      std::size_t n = 0;
      for (std::uint64_t w : {1, 2, 3})
        if (w != leaving)
          n += got(w, name).size();
      BOOST_TEST(n == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(commands_wait_while_no_worker_and_go_in_order_to_the_first_one) {
  send_command(1, "a");
  send_command(2, "b");
  send_command(1, "c");
  BOOST_TEST(commands(outcome::buffered) == 3u);
  BOOST_TEST(commands(outcome::routed) == 0u);
  auto dash = identified(2, "dashboard"); // not a worker: they still wait
  BOOST_TEST(commands_of(*dash).empty());
  auto w = identified(1, "commands");
  BOOST_TEST((commands_of(*w) == strings{"a", "b", "c"}));
  // IDENTIFIED first, then the commands, numbered after it.
  auto fs = frames_of(*w);
  BOOST_REQUIRE_EQUAL(fs.size(), 5u);
  BOOST_TEST(fs[1].t() == "IDENTIFIED");
  for (std::size_t i = 2; i < fs.size(); ++i)
    BOOST_TEST(fs[i].s() > fs[i - 1].s());
  BOOST_TEST(commands(outcome::routed) == 3u);
  BOOST_TEST(commands(outcome::dropped_expired) == 0u);
  // Delivered once: a second worker gets none of them.
  auto w2 = identified(3, "commands");
  BOOST_TEST(commands_of(*w2).empty());
}

BOOST_AUTO_TEST_CASE(commands_beyond_the_buffer_are_dropped_and_counted) {
  // gateway.command_buffer is 4 in these tests.
  for (int i = 0; i < 6; ++i)
    send_command(7, "c" + std::to_string(i));
  BOOST_TEST(commands(outcome::buffered) == 4u);
  BOOST_TEST(commands(outcome::dropped_overflow) == 2u);
  auto w = identified(1, "commands");
  BOOST_TEST((commands_of(*w) == strings{"c0", "c1", "c2", "c3"}));
  BOOST_TEST(commands(outcome::routed) == 4u);
}

// SPEC §4.6: commands wait at most gateway.command_buffer_ttl_s; expiry is counted (the
// broker ages its queue by its actor clock, so the test clock drives it).
BOOST_AUTO_TEST_CASE(commands_older_than_the_ttl_are_dropped_and_counted) {
  send_command(1, "old1");
  send_command(2, "old2");
  advance(10s);
  send_command(3, "young");
  BOOST_TEST(commands(outcome::buffered) == 3u);
  advance(21s); // old1 and old2 are 31 s old, young 21 s
  BOOST_TEST(commands(outcome::dropped_expired) == 2u);
  auto w = identified(1, "commands");
  BOOST_TEST((commands_of(*w) == strings{"young"}));
  BOOST_TEST(commands(outcome::dropped_expired) == 2u);
}

BOOST_AUTO_TEST_CASE(commands_younger_than_the_ttl_wait_for_a_worker) {
  send_command(1, "a");
  advance(29s); // the backlog ticks run meanwhile
  auto w = identified(1, "commands");
  BOOST_TEST((commands_of(*w) == strings{"a"}));
  BOOST_TEST(commands(outcome::dropped_expired) == 0u);
}

// --- a worker whose connection ends (§4.9) -----------------------------------------------------

BOOST_AUTO_TEST_CASE(an_away_workers_commands_are_rerouted_after_the_grace_none_twice) {
  identified(1, "commands");
  auto w2 = identified(2, "commands");
  const auto g = guild_of(1);
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  const auto routed_before = commands(outcome::routed);
  closed(1, 1006); // resumable; it stays in the routing set for command_grace_ms
  send_command(g, "a");
  send_command(g, "b");
  send_command(g, "c");
  const std::set<std::string> abc{"a", "b", "c"};
  BOOST_TEST(got(2, abc).empty()); // kept for the away worker
  BOOST_TEST(commands(outcome::routed) == routed_before + 3);
  advance(1999ms);
  BOOST_TEST(got(2, abc).empty());
  BOOST_TEST(commands(outcome::rerouted) == 0u);
  advance(2ms); // the grace (2000 ms) is over
  BOOST_TEST((got(2, abc) == strings{"a", "b", "c"}));
  BOOST_TEST(commands(outcome::rerouted) == 3u);

  // It resumes later: the rerouted commands are not replayed to it and are no gap.
  auto back = open(3);
  frame(3, resume_json(sid, seen));
  auto resumed = events_of(*back, "RESUMED");
  BOOST_REQUIRE_EQUAL(resumed.size(), 1u);
  BOOST_TEST(resumed[0].d().at("replayed").to_number<int>() == 0);
  BOOST_TEST(commands_of(*back).empty());
  // It rejoins the routing set and gets its guild back.
  send_command(g, "d");
  BOOST_TEST((commands_of(*back) == strings{"d"}));
  BOOST_TEST(got(2, {"d"}).empty());
  BOOST_TEST((got(2, abc) == strings{"a", "b", "c"})); // still exactly once
}

BOOST_AUTO_TEST_CASE(a_worker_resuming_within_the_grace_gets_its_commands_by_replay) {
  identified(1, "commands");
  identified(2, "commands");
  const auto g = guild_of(1);
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  send_command(g, "a");
  send_command(g, "b");
  advance(1s);
  auto back = open(3);
  frame(3, resume_json(sid, seen));
  BOOST_TEST((commands_of(*back) == strings{"a", "b"}));
  auto fs = frames_of(*back);
  BOOST_REQUIRE_EQUAL(fs.size(), 4u); // HELLO, a, b, RESUMED
  BOOST_TEST(fs[3].t() == "RESUMED");
  BOOST_TEST(fs[3].d().at("replayed").to_number<int>() == 2);
  advance(5s); // the old grace timer finds nothing to do
  BOOST_TEST(got(2, {"a", "b"}).empty());
  BOOST_TEST(commands(outcome::rerouted) == 0u);
  BOOST_TEST(commands_of(*back).size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_last_workers_commands_wait_in_the_queue_after_the_grace) {
  identified(1, "commands");
  closed(1, 1006);
  send_command(5, "a");
  BOOST_TEST(commands(outcome::routed) == 1u); // into the away worker's buffer
  advance(2s);
  BOOST_TEST(commands(outcome::rerouted) == 1u);
  BOOST_TEST(commands(outcome::buffered) == 1u);
  auto w = identified(2, "commands");
  BOOST_TEST((commands_of(*w) == strings{"a"}));
}

BOOST_AUTO_TEST_CASE(a_worker_that_says_goodbye_leaves_the_routing_set_at_once) {
  identified(1, "commands");
  identified(2, "commands");
  const auto g = guild_of(1);
  closed(1, proto::close::normal);
  send_command(g, "a");
  BOOST_TEST((got(2, {"a"}) == strings{"a"}));
  BOOST_TEST(commands(outcome::rerouted) == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_resume_routes_the_away_workers_commands_at_once) {
  identified(1, "commands");
  identified(2, "commands");
  const auto g = guild_of(1);
  const auto sid = session_id(1);
  closed(1, 1006);
  send_command(g, "a");
  auto back = open(3);
  frame(3, resume_json(sid, last_s(1) + 1000)); // past the last `s`: invalid
  BOOST_TEST(events_of(*back, "INVALID_SESSION").size() == 1u);
  BOOST_TEST((got(2, {"a"}) == strings{"a"})); // before any grace timer
  BOOST_TEST(commands(outcome::rerouted) == 1u);
  advance(5s);
  BOOST_TEST((got(2, {"a"}) == strings{"a"}));
  BOOST_TEST(commands_of(*back).empty());
}

BOOST_AUTO_TEST_SUITE_END()
