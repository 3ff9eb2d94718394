// The gateway session actor with a real broker and shard planner on the deterministic
// coordinator (SPEC.md §4.1-§4.6, `s` of §4.9): what a service sees on its connection.
// RESUME: gateway_resume_test.cpp; EXECUTE_COMMAND routing: command_routing_test.cpp.

#include "tests/actors/gateway_fixture.hpp"

#include <caf/after.hpp>

#include <set>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

namespace {

bool is_session_id(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(gateway_session, gateway_fixture)

// --- hello, heartbeat ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hello_on_open_uncompressed_without_s_and_the_monitor_watches) {
  auto c = open(1);
  auto fs = frames_of(*c);
  BOOST_REQUIRE_EQUAL(fs.size(), 1u);
  BOOST_TEST(!fs[0].binary);
  BOOST_TEST(fs[0].op() == 3);
  BOOST_TEST(!fs[0].has_s());
  BOOST_TEST(fs[0].d().at("heartbeatInterval").to_number<std::int64_t>() == 30000);
  BOOST_TEST(!c->closed);
  // 1.5 intervals: a heartbeat request; 2 intervals: 4007 (§4.2).
  bool watched = false;
  monitor->receive(
    [&](actors::hb_watch_atom, std::uint64_t id, const actors::session_actor&, caf::timespan warn,
        caf::timespan expire) {
      watched = true;
      BOOST_TEST(id == 1u);
      BOOST_TEST((warn == caf::timespan{45s}));
      BOOST_TEST((expire == caf::timespan{60s}));
    },
    caf::after(0s) >> [] {});
  BOOST_TEST(watched);
}

BOOST_AUTO_TEST_CASE(heartbeat_before_identify_is_acked_with_op4_and_touches_the_monitor) {
  auto c = open(1);
  frame(1, R"({"op":1,"d":{"heapUsed":1234}})");
  auto fs = frames_of(*c);
  BOOST_REQUIRE_EQUAL(fs.size(), 2u);
  BOOST_TEST(fs[1].op() == 4);
  BOOST_TEST(fs[1].d().empty());
  BOOST_TEST(!fs[1].has_s());
  BOOST_TEST(!fs[1].binary);
  BOOST_TEST(!c->closed);
  bool touched = false;
  for (bool more = true; more;)
    monitor->receive(
      [&](actors::hb_touch_atom, std::uint64_t id) {
        touched = true;
        BOOST_TEST(id == 1u);
      },
      [](actors::hb_watch_atom, std::uint64_t, const actors::session_actor&, caf::timespan,
         caf::timespan) {},
      caf::after(0s) >> [&] { more = false; });
  BOOST_TEST(touched);
}

BOOST_AUTO_TEST_CASE(heartbeat_of_a_sharder_is_recorded_for_services) {
  identified(1, "sharder");
  frame(1, R"({"op":1,"d":{"heapUsed":99,"guilds":7}})");
  auto xs = services();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(xs[0].heap_used == 99u);
  BOOST_REQUIRE(xs[0].guilds.has_value());
  BOOST_TEST(*xs[0].guilds == 7u);
}

BOOST_AUTO_TEST_CASE(heartbeat_without_heap_used_closes_4005) {
  auto c = open(1);
  frame(1, R"({"op":1,"d":{}})");
  BOOST_TEST(code_of(*c) == proto::close::invalid_payload);
  BOOST_TEST(frames_of(*c).size() == 1u); // HELLO only, no ACK
}

BOOST_AUTO_TEST_CASE(the_monitors_warning_asks_for_a_heartbeat_and_its_expiry_closes_4007) {
  auto c = identified(1, "commands");
  // The session gave the monitor its actor; the monitor's two deadlines end up as these.
  actors::session_actor session;
  monitor->receive([&](actors::hb_watch_atom, std::uint64_t, const actors::session_actor& a,
                       caf::timespan, caf::timespan) { session = a; });
  BOOST_REQUIRE(session);
  caf::anon_send(session, actors::hb_warn_atom::value);
  sched.run();
  auto fs = frames_of(*c);
  BOOST_REQUIRE_EQUAL(fs.size(), 3u);
  BOOST_TEST(fs[2].op() == 1);
  BOOST_TEST(fs[2].d().empty());
  BOOST_TEST(!fs[2].has_s());
  BOOST_TEST(!c->closed);
  caf::anon_send(session, actors::hb_expired_atom::value);
  sched.run();
  BOOST_TEST(code_of(*c) == proto::close::heartbeat_timeout);
  BOOST_TEST(metrics.heartbeat_timeouts[static_cast<std::size_t>(ports::dialect::gateway)].value()
             == 1u);
}

// --- identify --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(identify_with_a_wrong_secret_closes_4001_and_lists_nothing) {
  auto c = open(1);
  frame(1, identify_json("commands", false, "wrong"));
  BOOST_TEST(code_of(*c) == proto::close::auth_failed);
  BOOST_TEST(events_of(*c, "IDENTIFIED").empty());
  BOOST_TEST(services().empty());
  // A frame after the close is ignored: no second close, no IDENTIFIED.
  frame(1, identify_json("commands"));
  BOOST_TEST(events_of(*c, "IDENTIFIED").empty());
  BOOST_TEST(code_of(*c) == proto::close::auth_failed);
}

BOOST_AUTO_TEST_CASE(each_service_type_is_identified_with_its_own_session_id) {
  const std::vector<std::pair<std::string, gw::service_type>> types{
    {"sharder", gw::service_type::sharder},
    {"commands", gw::service_type::commands},
    {"dashboard", gw::service_type::dashboard},
    {"panel", gw::service_type::panel},
    {"feeds", gw::service_type::feeds}};
  std::set<std::string> ids;
  std::uint64_t conn = 0;
  std::uint64_t prev_s = 0;
  for (auto& [name, type] : types) {
    BOOST_TEST_CONTEXT("type " << name) {
      auto c = identified(++conn, name);
      BOOST_TEST(!c->closed);
      auto fs = frames_of(*c);
      BOOST_REQUIRE_EQUAL(fs.size(), 2u); // HELLO, IDENTIFIED
      const auto& ev = fs[1];
      BOOST_TEST(!ev.binary);
      BOOST_TEST(ev.op() == 2);
      BOOST_TEST(ev.t() == "IDENTIFIED");
      BOOST_REQUIRE(ev.has_s());
      BOOST_TEST(ev.s() > prev_s); // the node's one sequence
      prev_s = ev.s();
      auto sid = std::string{ev.d().at("sessionId").as_string()};
      BOOST_TEST(is_session_id(sid), sid);
      ids.insert(sid);
      if (type == gw::service_type::sharder) {
        // The planner's whole share (2 shards, 1 sharder) comes in IDENTIFIED (§4.5).
        const auto& shards = ev.d().at("shards").as_array();
        BOOST_REQUIRE_EQUAL(shards.size(), 2u);
        BOOST_TEST(shards[0].to_number<int>() == 0);
        BOOST_TEST(shards[1].to_number<int>() == 1);
      } else {
        BOOST_TEST(!ev.d().contains("shards"));
      }
    }
  }
  BOOST_TEST(ids.size() == types.size());
  auto xs = services();
  BOOST_REQUIRE_EQUAL(xs.size(), types.size());
  std::set<gw::service_type> listed;
  for (auto& s : xs)
    listed.insert(s.type);
  BOOST_TEST(listed.size() == types.size());
}

BOOST_AUTO_TEST_CASE(compressed_identify_gets_binary_zlib_frames_from_identified_on) {
  auto c = identified(1, "commands", true);
  frame(1, R"({"op":1,"d":{"heapUsed":1}})");
  auto fs = frames_of(*c);
  BOOST_REQUIRE_EQUAL(fs.size(), 3u);
  BOOST_TEST(!fs[0].binary); // HELLO never
  BOOST_TEST(fs[1].binary);
  BOOST_TEST(fs[1].t() == "IDENTIFIED");
  BOOST_TEST(fs[2].binary);
  BOOST_TEST(fs[2].op() == 4);
}

BOOST_AUTO_TEST_CASE(event_before_identify_closes_4000_and_routes_nothing) {
  auto w = identified(1, "commands");
  auto c = open(2);
  frame(2, command_json(5, "early"));
  BOOST_TEST(code_of(*c) == proto::close::not_identified);
  BOOST_TEST(commands_of(*w).empty());
  BOOST_TEST(commands(metrics::command_outcome::routed) == 0u);
  BOOST_TEST(commands(metrics::command_outcome::buffered) == 0u);
}

BOOST_AUTO_TEST_CASE(cache_record_before_identify_closes_4000) {
  auto c = open(1);
  frame(1, R"({"op":5,"d":{"type":"user","id":"1","username":"a","discriminator":"0001"}})");
  BOOST_TEST(code_of(*c) == proto::close::not_identified);
}

BOOST_AUTO_TEST_CASE(second_identify_closes_4002) {
  auto c = identified(1, "dashboard");
  frame(1, identify_json("dashboard"));
  BOOST_TEST(code_of(*c) == proto::close::already_identified);
  BOOST_TEST(events_of(*c, "IDENTIFIED").size() == 1u);
}

BOOST_AUTO_TEST_CASE(event_not_allowed_for_the_type_closes_4006) {
  auto c = identified(1, "feeds");
  frame(1, command_json(5, "x"));
  BOOST_TEST(code_of(*c) == proto::close::not_allowed);
  BOOST_TEST(commands(metrics::command_outcome::buffered) == 0u);
}

BOOST_AUTO_TEST_CASE(identify_request_of_a_sharder_is_granted_as_a_numbered_op2) {
  auto c = identified(1, "sharder");
  frame(1, R"({"op":2,"t":"IDENTIFY_REQUEST","d":{"shard":1}})");
  auto granted = events_of(*c, "IDENTIFY_GRANTED");
  BOOST_REQUIRE_EQUAL(granted.size(), 1u);
  BOOST_TEST(granted[0].d().at("shard").to_number<int>() == 1);
  BOOST_TEST(granted[0].s() > events_of(*c, "IDENTIFIED").front().s());
  BOOST_TEST(!c->closed);
}

// --- `s` numbering (§4.9) --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(op2_frames_carry_one_node_wide_increasing_s) {
  auto a = identified(1, "commands");
  auto b = identified(2, "dashboard", true);
  auto p = identified(3, "panel"); // receives no stored-state broadcasts
  broadcast(10);
  broadcast(11);
  frame(1, R"({"op":1,"d":{"heapUsed":1}})");

  auto ua = events_of(*a, "MUSIC_COMMAND_UPDATE");
  auto ub = events_of(*b, "MUSIC_COMMAND_UPDATE");
  BOOST_REQUIRE_EQUAL(ua.size(), 2u);
  BOOST_REQUIRE_EQUAL(ub.size(), 2u);
  BOOST_TEST(events_of(*p, "MUSIC_COMMAND_UPDATE").empty());
  for (std::size_t i = 0; i < 2; ++i) {
    // A broadcast carries the same `s` to every receiver, compressed or not.
    BOOST_TEST(ua[i].s() == ub[i].s());
    BOOST_TEST(ub[i].binary);
  }
  BOOST_TEST(ua[1].s() > ua[0].s());
  // Every op 2 after IDENTIFIED is numbered after it; HELLO and the ACK carry no `s`.
  std::uint64_t prev = 0;
  for (auto& f : frames_of(*a)) {
    if (f.op() == 2) {
      BOOST_REQUIRE(f.has_s());
      BOOST_TEST(f.s() > prev);
      prev = f.s();
    } else {
      BOOST_TEST(!f.has_s());
    }
  }
  BOOST_TEST(events_of(*a, "IDENTIFIED").front().s() < ua[0].s());
}

BOOST_AUTO_TEST_SUITE_END()
