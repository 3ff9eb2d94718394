// The gateway session's states: connected -> identified -> closing, and what closing does
// with frames and the monitor's deadlines.

#include "tests/actors/gateway_fixture.hpp"
#include "tests/actors/session/state_of.hpp"

#include <caf/after.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

namespace {

struct states_fixture : gateway_fixture {
  /// The session actor of the connection opened last, as the monitor got it.
  actors::session_actor watched() {
    actors::session_actor session;
    monitor->receive([&](actors::hb_watch_atom, std::uint64_t, const actors::session_actor& a,
                         caf::timespan, caf::timespan) { session = a; },
                     caf::after(0s) >> [] {});
    BOOST_REQUIRE(session);
    return session;
  }

  template <class Handle>
  std::string state_of(const Handle& h) {
    return test::state_of(*this, h);
  }

  std::uint64_t heartbeat_timeouts() const {
    return metrics.heartbeat_timeouts[static_cast<std::size_t>(ports::dialect::gateway)].value();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(gateway_states, states_fixture)

BOOST_AUTO_TEST_CASE(a_gateway_session_starts_connected_and_identify_identifies_it) {
  open(1);
  auto s = watched();
  BOOST_TEST(state_of(s) == "connected");
  frame(1, identify_json("commands"));
  BOOST_TEST(state_of(s) == "identified");
}

BOOST_AUTO_TEST_CASE(a_closing_gateway_session_ignores_frames_and_the_monitors_deadlines) {
  auto c = identified(1, "commands");
  auto s = watched();
  frame(1, "{");
  BOOST_TEST(code_of(*c) == proto::close::invalid_json);
  BOOST_TEST(state_of(s) == "closing");
  auto sent = c->sent.size();
  frame(1, R"({"op":1,"d":{"heapUsed":1}})");
  caf::anon_send(s, actors::hb_warn_atom::value);
  caf::anon_send(s, actors::hb_expired_atom::value);
  sched.run();
  BOOST_TEST(c->sent.size() == sent); // no ACK, no heartbeat request
  BOOST_TEST(code_of(*c) == proto::close::invalid_json);
  BOOST_TEST(heartbeat_timeouts() == 0u);
}

BOOST_AUTO_TEST_CASE(a_heartbeat_timeout_closes_once) {
  auto c = identified(1, "commands");
  auto s = watched();
  caf::anon_send(s, actors::hb_expired_atom::value);
  caf::anon_send(s, actors::hb_expired_atom::value);
  sched.run();
  BOOST_TEST(code_of(*c) == proto::close::heartbeat_timeout);
  BOOST_TEST(heartbeat_timeouts() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
