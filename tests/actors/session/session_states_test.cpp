// The companion and voice sessions' states on the deterministic coordinator, spawned directly
// so the test holds their typed handles: what each state does with a frame, the monitor's
// deadlines and a takeover, and what the console sees.

#include "tests/actors/fixture.hpp"
#include "tests/actors/session/state_of.hpp"

#include "actors/broker/broker.hpp"
#include "actors/companion/companion_session.hpp"
#include "actors/companion/shard_stats.hpp"
#include "actors/voice/voice_registry.hpp"
#include "actors/voice/voice_session.hpp"
#include "proto/errors.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/actor_cast.hpp>
#include <caf/after.hpp>
#include <caf/send.hpp>

#include <string>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* handshake = R"({"op":1,"key":"k","guildIds":[]})";
constexpr const char* voice_identify = R"({"op":"IDENTIFY","d":{"user_id":"1","shard_id":null}})";

struct states_fixture : actor_fixture {
  states_fixture() {
    broker = track(sys.spawn(actors::broker, &metrics));
    stats = track(sys.spawn(actors::shard_stats, caf::timespan{90s}, &metrics,
                            actors::wall_clock{}));
    registry = track(sys.spawn(actors::voice_registry, caf::timespan{300s}, &metrics));
    sched.run();
  }

  /// A companion session on connection `id`; the store is the test's scoped actor.
  actors::companion_session_actor companion(std::uint64_t id) {
    conn = std::make_shared<fake_connection>(id, ports::dialect::companion);
    actors::companion_deps deps{"k", 0, broker, caf::actor_cast<actors::settings_store_actor>(self), stats, &metrics};
    auto h = sys.spawn(actors::companion_session, conn, deps);
    track(caf::actor_cast<caf::actor>(h));
    sched.run();
    return h;
  }

  /// A voice session on connection `id`, without a heartbeat monitor.
  actors::voice_session_actor voice(std::uint64_t id, bool authorized = true) {
    conn = std::make_shared<fake_connection>(id, ports::dialect::voice);
    actors::voice_deps deps;
    deps.password = "pw";
    deps.broker = broker;
    deps.registry = registry;
    deps.metrics = &metrics;
    auto h = sys.spawn(actors::voice_session, conn, authorized, deps);
    track(caf::actor_cast<caf::actor>(h));
    sched.run();
    return h;
  }

  template <class Handle>
  void frame(const Handle& h, std::string text, bool binary = false) {
    caf::anon_send(h, actors::frame_atom::value, std::move(text), binary);
    sched.run();
  }

  template <class Handle, class... Ts>
  void tell(const Handle& h, Ts... xs) {
    caf::anon_send(h, xs...);
    sched.run();
  }

  template <class Handle>
  std::string state_of(const Handle& h) {
    return test::state_of(*this, h);
  }

  /// Whether the store was asked for a handshake since the last call.
  bool store_got_handshake() {
    bool asked = false;
    self->receive(
      [&](actors::handshake_atom, std::uint64_t, const std::vector<std::uint64_t>&) {
        asked = true;
      },
      caf::after(0s) >> [] {});
    return asked;
  }

  std::uint16_t code() const { return conn->closed ? conn->closed->first : 0; }

  std::uint64_t heartbeat_timeouts(ports::dialect d) const {
    return metrics.heartbeat_timeouts[static_cast<std::size_t>(d)].value();
  }

  actors::broker_actor broker;
  actors::shard_stats_actor stats;
  actors::voice_registry_actor registry;
  std::shared_ptr<fake_connection> conn;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(session_states, states_fixture)

// -- companion: connected -> handshaken -> closing ---------------------------------------------

BOOST_AUTO_TEST_CASE(a_companion_session_starts_connected_and_the_handshake_identifies_it) {
  auto s = companion(1);
  BOOST_TEST(state_of(s) == "connected");
  frame(s, handshake);
  BOOST_TEST(state_of(s) == "identified");
  BOOST_TEST(store_got_handshake());
  BOOST_TEST(!conn->closed);
}

BOOST_AUTO_TEST_CASE(a_companion_frame_before_the_handshake_closes_4000_after_it_is_served) {
  auto before = companion(1);
  frame(before, R"({"op":2,"key":"k","guildId":1})");
  BOOST_TEST(code() == proto::close::not_identified);
  BOOST_TEST(state_of(before) == "closing");

  auto after = companion(2);
  frame(after, handshake);
  frame(after, R"({"op":2,"key":"k","guildId":1})");
  BOOST_TEST(!conn->closed);
  BOOST_TEST(state_of(after) == "identified");
}

BOOST_AUTO_TEST_CASE(a_closing_companion_session_ignores_frames) {
  auto s = companion(1);
  frame(s, "{");
  BOOST_TEST(code() == proto::close::invalid_json);
  frame(s, handshake);
  frame(s, "x", true);
  BOOST_TEST(code() == proto::close::invalid_json);
  BOOST_TEST(!store_got_handshake());
  BOOST_TEST(state_of(s) == "closing");
}

BOOST_AUTO_TEST_CASE(a_companion_session_closes_with_4007_when_its_pongs_stopped) {
  // Companion liveness is the heartbeat monitor's (net/ reports pongs): no warning, and the
  // expiry closes with 4007 once; closing ignores a second one.
  auto s = companion(1);
  tell(s, actors::hb_warn_atom::value);
  BOOST_TEST(!conn->closed);
  BOOST_TEST(state_of(s) == "connected");
  BOOST_TEST(conn->sent.empty());
  tell(s, actors::hb_expired_atom::value);
  BOOST_TEST(code() == proto::close::heartbeat_timeout);
  BOOST_TEST(state_of(s) == "closing");
  tell(s, actors::hb_expired_atom::value);
  BOOST_TEST(metrics.heartbeat_timeouts[0].value() == 1u);
}

// -- voice: connected -> identified -> closing ------------------------------------------------

BOOST_AUTO_TEST_CASE(a_voice_session_answers_not_identified_before_identify_and_stays_open) {
  auto s = voice(1);
  conn->sent.clear(); // HELLO
  frame(s, R"({"op":"getState","d":{"guild_id":"5"}})");
  BOOST_REQUIRE_EQUAL(conn->sent.size(), 1u);
  BOOST_TEST(conn->sent[0].first->find("NOT_IDENTIFIED") != std::string::npos);
  BOOST_TEST(!conn->closed);
  BOOST_TEST(state_of(s) == "connected");
}

BOOST_AUTO_TEST_CASE(a_voice_session_is_identified_once) {
  auto s = voice(1);
  frame(s, voice_identify);
  BOOST_TEST(state_of(s) == "identified");
  conn->sent.clear();
  frame(s, voice_identify);
  BOOST_REQUIRE_EQUAL(conn->sent.size(), 1u);
  BOOST_TEST(conn->sent[0].first->find("ALREADY_IDENTIFIED") != std::string::npos);
  BOOST_TEST(state_of(s) == "identified");
}

BOOST_AUTO_TEST_CASE(a_wrong_password_starts_closing_and_ignores_everything_but_the_end) {
  auto s = voice(1, false);
  BOOST_TEST(code() == proto::close::auth_failed);
  BOOST_TEST(state_of(s) == "closing");
  auto sent = conn->sent.size(); // FORBIDDEN
  frame(s, voice_identify);
  tell(s, actors::hb_expired_atom::value);
  tell(s, actors::vc_takeover_atom::value);
  BOOST_TEST(conn->sent.size() == sent);
  BOOST_TEST(code() == proto::close::auth_failed);
  BOOST_TEST(heartbeat_timeouts(ports::dialect::voice) == 0u);
}

BOOST_AUTO_TEST_CASE(a_voice_takeover_closes_once_with_4010) {
  auto s = voice(1);
  frame(s, voice_identify);
  tell(s, actors::vc_takeover_atom::value);
  BOOST_TEST(code() == proto::close::taken_over);
  BOOST_TEST(state_of(s) == "closing");
  // The idle timeout that follows finds the session closing: no second close, not counted.
  tell(s, actors::hb_expired_atom::value);
  BOOST_TEST(code() == proto::close::taken_over);
  BOOST_TEST(heartbeat_timeouts(ports::dialect::voice) == 0u);
}

BOOST_AUTO_TEST_CASE(a_voice_idle_timeout_closes_4007_and_counts_once) {
  auto s = voice(1);
  tell(s, actors::hb_expired_atom::value);
  tell(s, actors::hb_expired_atom::value);
  BOOST_TEST(code() == proto::close::heartbeat_timeout);
  BOOST_TEST(heartbeat_timeouts(ports::dialect::voice) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
