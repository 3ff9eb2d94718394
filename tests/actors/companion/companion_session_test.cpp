// The companion session actor, broker and shard stats on the deterministic coordinator.

#include "tests/actors/fixture.hpp"

#include "actors/broker/broker.hpp"
#include "actors/companion/companion_session.hpp"
#include "actors/companion/shard_stats.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;

namespace {

/// A companion session wired to a real broker and stats actor, and a store stand-in that
/// is a plain scoped actor, so the test sees what the session asks of the store.
struct companion_fixture : actor_fixture {
  companion_fixture() {
    broker = track(sys.spawn(actors::broker, &metrics));
    stats = track(sys.spawn(actors::shard_stats, caf::timespan{std::chrono::seconds(90)}, &metrics,
                          actors::wall_clock{}));
  }

  ~companion_fixture() {
    // net/ tells every session actor its connection ended; they quit on that.
    for (auto& s : sinks)
      s->on_closed(1006);
    sched.run();
  }

  std::shared_ptr<fake_connection> open(std::uint64_t id, std::uint32_t per_minute = 0) {
    auto conn = std::make_shared<fake_connection>(id, ports::dialect::companion);
    // The scoped actor stands in for the store: dynamically typed, so an unchecked cast.
    actors::companion_deps deps{"k", per_minute, broker,
                                caf::actor_cast<actors::settings_store_actor>(self), stats,
                                &metrics};
    sinks.push_back(actors::open_companion_session(sys, conn, deps));
    sched.run();
    return conn;
  }

  void frame(std::size_t session, std::string text, bool binary = false) {
    sinks.at(session)->on_frame(std::move(text), binary);
    sched.run();
  }

  actors::broker_actor broker;
  actors::shard_stats_actor stats;
  std::vector<std::shared_ptr<ports::session_sink>> sinks;
};

std::uint16_t code_of(const fake_connection& c) {
  return c.closed ? c.closed->first : 0;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(companion_session, companion_fixture)

BOOST_AUTO_TEST_CASE(invalid_json_closes_with_4004) {
  auto c = open(1);
  frame(0, "{");
  BOOST_TEST(code_of(*c) == 4004);
}

BOOST_AUTO_TEST_CASE(wrong_key_closes_with_4001_before_unknown_op) {
  auto c = open(1);
  frame(0, R"({"op":42,"key":"bad"})");
  BOOST_TEST(code_of(*c) == 4001);
}

BOOST_AUTO_TEST_CASE(unknown_op_closes_with_4003) {
  auto c = open(1);
  frame(0, R"({"op":42,"key":"k"})");
  BOOST_TEST(code_of(*c) == 4003);
}

BOOST_AUTO_TEST_CASE(op2_before_handshake_closes_with_4000) {
  auto c = open(1);
  frame(0, R"({"op":2,"key":"k","guildId":1})");
  BOOST_TEST(code_of(*c) == 4000);
}

BOOST_AUTO_TEST_CASE(missing_field_after_handshake_closes_with_4005) {
  auto c = open(1);
  frame(0, R"({"op":1,"key":"k","guildIds":[]})");
  frame(0, R"({"op":2,"key":"k"})");
  BOOST_TEST(code_of(*c) == 4005);
}

BOOST_AUTO_TEST_CASE(frames_after_a_close_are_ignored) {
  auto c = open(1);
  frame(0, "{");
  frame(0, R"({"op":1,"key":"k","guildIds":[]})");
  BOOST_TEST(code_of(*c) == 4004);
  bool asked = false;
  self->receive(
    [&](actors::handshake_atom, std::uint64_t, const std::vector<std::uint64_t>&) {
      asked = true;
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  BOOST_TEST(!asked);
}

BOOST_AUTO_TEST_CASE(handshake_asks_the_store_with_the_session_id) {
  open(7);
  frame(0, R"({"op":1,"key":"k","guildIds":[3,"4"]})");
  bool asked = false;
  self->receive([&](actors::handshake_atom, std::uint64_t session,
                    const std::vector<std::uint64_t>& guilds) {
    asked = true;
    BOOST_TEST(session == 7u);
    BOOST_TEST((guilds == std::vector<std::uint64_t>{3, 4}));
  });
  BOOST_TEST(asked);
}

BOOST_AUTO_TEST_CASE(rate_limit_closes_with_4008) {
  auto c = open(1, 3);
  for (int i = 0; i < 4; ++i)
    frame(0, R"({"op":1,"key":"k","guildIds":[]})");
  BOOST_TEST(code_of(*c) == 4008);
  BOOST_TEST(metrics.rate_limited[0].value() == 1u);
}

BOOST_AUTO_TEST_CASE(broadcast_shares_one_buffer_and_skips_sessions_without_handshake) {
  auto a = open(1);
  auto b = open(2);
  auto idle = open(3);
  // The store's answer to a handshake is an attach: reply first, then broadcasts.
  for (std::uint64_t id : {1, 2}) {
    caf::anon_send(broker, actors::attach_atom::value, id, ports::make_buffer("reply"));
  }
  actors::broadcast_msg msg;
  msg.companion = ports::make_buffer("{\"op\":2}");
  caf::anon_send(broker, actors::broadcast_atom::value, msg);
  sched.run();
  BOOST_REQUIRE_EQUAL(a->sent.size(), 2u);
  BOOST_REQUIRE_EQUAL(b->sent.size(), 2u);
  BOOST_TEST(*a->sent[0].first == "reply");
  // The very same immutable buffer, not a copy per receiver.
  BOOST_TEST(a->sent[1].first.get() == msg.companion.get());
  BOOST_TEST(b->sent[1].first.get() == msg.companion.get());
  BOOST_TEST(idle->sent.empty());
  BOOST_TEST(metrics.broadcasts.value() == 1u);
}

BOOST_AUTO_TEST_CASE(closed_session_leaves_the_broker) {
  auto a = open(1);
  caf::anon_send(broker, actors::attach_atom::value, std::uint64_t{1}, ports::make_buffer("r"));
  sched.run();
  sinks[0]->on_closed(1000);
  sched.run();
  caf::anon_send(broker, actors::broadcast_atom::value,
                 actors::broadcast_msg{ports::make_buffer("x")});
  sched.run();
  BOOST_TEST(a->sent.size() == 1u);
  self->send(broker, actors::sessions_atom::value);
  sched.run();
  self->receive([](const std::vector<actors::session_info>& xs) { BOOST_TEST(xs.empty()); });
}

BOOST_AUTO_TEST_SUITE_END()

