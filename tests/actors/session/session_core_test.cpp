// The session core on its own: the order of the frame checks, close once, what it counts.

#include "tests/actors/fixture.hpp"

#include "actors/session/session_core.hpp"
#include "proto/errors.hpp"

#include <boost/test/unit_test.hpp>

using namespace coord;
using namespace coord::test;
using actors::session_phase;

BOOST_TEST_DONT_PRINT_LOG_VALUE(coord::actors::session_phase)

namespace {

struct core_fixture {
  std::shared_ptr<fake_connection> conn =
    std::make_shared<fake_connection>(1, ports::dialect::voice);
  metrics::registry metrics;
  caf::actor_clock::time_point t0{};

  actors::session_core core(std::uint32_t per_minute = 0) {
    return actors::session_core{conn, ports::dialect::voice, per_minute, &metrics, t0};
  }

  std::uint64_t rate_limited() const {
    return metrics.rate_limited[static_cast<std::size_t>(ports::dialect::voice)].value();
  }
  std::uint64_t heartbeat_timeouts() const {
    return metrics.heartbeat_timeouts[static_cast<std::size_t>(ports::dialect::voice)].value();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(session_core, core_fixture)

BOOST_AUTO_TEST_CASE(a_new_session_is_connected) {
  auto c = core();
  BOOST_TEST(c.phase() == session_phase::connected);
  BOOST_TEST(std::string{actors::to_string(c.phase())} == "connected");
  BOOST_TEST(c.last_pong_ms_ago(t0) == "never");
}

BOOST_AUTO_TEST_CASE(a_text_frame_within_the_limit_is_admitted) {
  auto c = core(2);
  BOOST_TEST(!c.admit(t0, false, "binary").has_value());
  BOOST_TEST(!c.admit(t0, false, "binary").has_value());
}

BOOST_AUTO_TEST_CASE(the_rate_limit_is_checked_before_the_frame_kind) {
  auto c = core(1);
  BOOST_TEST(!c.admit(t0, false, "binary").has_value());
  auto refused = c.admit(t0, true, "binary");
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(refused->code == proto::close::rate_limited);
}

BOOST_AUTO_TEST_CASE(a_binary_frame_is_refused_with_4004_and_the_dialects_reason) {
  auto c = core();
  auto refused = c.admit(t0, true, "binary frames are not accepted");
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(refused->code == proto::close::invalid_json);
  BOOST_TEST(refused->reason == "binary frames are not accepted");
}

BOOST_AUTO_TEST_CASE(close_happens_once_and_counts_once) {
  auto c = core();
  int before = 0;
  BOOST_TEST(c.close(proto::close::rate_limited, "rate limited", [&] { ++before; }));
  BOOST_TEST(c.phase() == session_phase::closing);
  BOOST_TEST(!c.close(proto::close::heartbeat_timeout, "idle timeout", [&] { ++before; }));
  BOOST_TEST(before == 1);
  BOOST_REQUIRE(conn->closed.has_value());
  BOOST_TEST(conn->closed->first == proto::close::rate_limited);
  BOOST_TEST(rate_limited() == 1u);
  BOOST_TEST(heartbeat_timeouts() == 0u);
}

BOOST_AUTO_TEST_CASE(a_heartbeat_timeout_is_counted) {
  auto c = core();
  c.close(proto::close::heartbeat_timeout, "idle timeout");
  BOOST_TEST(heartbeat_timeouts() == 1u);
  BOOST_TEST(rate_limited() == 0u);
}

BOOST_AUTO_TEST_CASE(ages_are_measured_on_the_actor_clock) {
  auto c = core();
  c.on_pong(t0 + std::chrono::milliseconds(40));
  BOOST_TEST(c.age_ms(t0 + std::chrono::milliseconds(100)) == "100");
  BOOST_TEST(c.last_pong_ms_ago(t0 + std::chrono::milliseconds(100)) == "60");
}

BOOST_AUTO_TEST_SUITE_END()
