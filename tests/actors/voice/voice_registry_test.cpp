// The voice registry on the deterministic coordinator: resume, VC_TIMEOUT, takeover.

#include "tests/actors/voice/registry_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

namespace {

using proto::voice::voice_client;


voice_client vc(std::uint64_t guild, std::optional<std::uint64_t> channel = std::nullopt) {
  return voice_client{guild, "id-" + std::to_string(guild), channel, ""};
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(voice_registry, registry_fixture)

BOOST_AUTO_TEST_CASE(a_new_key_is_not_resumed) {
  auto c = claim("1", 10, self);
  BOOST_TEST(!c.resumed);
  BOOST_TEST(c.clients.empty());
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(voice_clients_follow_set_and_del_and_the_gauge_counts_them) {
  claim("1", 10, self);
  set("1", 10, vc(5, 50));
  set("1", 10, vc(6));
  set("1", 10, vc(5, 51)); // an update, not a new client
  BOOST_TEST(metrics.voice_clients.value() == 2);
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(xs[0].live);
  BOOST_TEST(xs[0].owner == 10u);
  BOOST_REQUIRE_EQUAL(xs[0].clients.size(), 2u);
  BOOST_TEST(xs[0].clients[0].channel_id.value() == 51u);
  del("1", 10, 6);
  del("1", 10, 6); // already gone
  BOOST_TEST(metrics.voice_clients.value() == 1);
}

BOOST_AUTO_TEST_CASE(resume_inside_the_timeout_returns_the_voice_clients) {
  claim("1-0", 10, self);
  set("1-0", 10, vc(5, 50));
  set("1-0", 10, vc(7));
  release("1-0", 10);
  BOOST_TEST(sched.has_pending_timeout());
  caf::scoped_actor next{sys};
  auto c = claim("1-0", 11, next);
  BOOST_TEST(c.resumed);
  BOOST_TEST((c.clients == std::vector<voice_client>{vc(5, 50), vc(7)}));
  // The retention's timer fires later and finds the key live again: nothing happens.
  BOOST_TEST(fire_timer());
  BOOST_TEST(list().size() == 1u);
  BOOST_TEST(metrics.voice_clients.value() == 2);
  BOOST_TEST(!taken_over(self)); // the released owner is not told anything
}

BOOST_AUTO_TEST_CASE(no_resume_after_the_timeout) {
  claim("1", 10, self);
  set("1", 10, vc(5, 50));
  release("1", 10);
  BOOST_TEST(status().retained_sessions == 1u);
  BOOST_TEST(fire_timer());
  BOOST_TEST(list().empty());
  BOOST_TEST(metrics.voice_clients.value() == 0);
  auto c = claim("1", 11, self);
  BOOST_TEST(!c.resumed);
  BOOST_TEST(c.clients.empty());
}

BOOST_AUTO_TEST_CASE(an_old_timer_does_not_end_a_newer_retention) {
  claim("1", 10, self);
  set("1", 10, vc(5));
  release("1", 10);
  claim("1", 11, self);
  release("1", 11);
  BOOST_TEST(fire_timer()); // the first retention's timer
  BOOST_TEST(list().size() == 1u);
  BOOST_TEST(fire_timer()); // the second one's
  BOOST_TEST(list().empty());
  BOOST_TEST(metrics.voice_clients.value() == 0);
}

BOOST_AUTO_TEST_CASE(takeover_tells_the_old_owner_and_its_release_starts_no_timer) {
  caf::scoped_actor old_session{sys};
  caf::scoped_actor new_session{sys};
  claim("1", 10, old_session);
  set("1", 10, vc(5, 50));
  auto c = claim("1", 11, new_session);
  BOOST_TEST(c.resumed);
  BOOST_TEST((c.clients == std::vector<voice_client>{vc(5, 50)}));
  BOOST_TEST(taken_over(old_session));
  BOOST_TEST(!taken_over(new_session));
  // The old connection closes with 4010 and releases: the key stays live, no timer.
  release("1", 10);
  BOOST_TEST(!sched.has_pending_timeout());
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(xs[0].live);
  BOOST_TEST(xs[0].owner == 11u);
  // Late changes from the old owner are ignored.
  set("1", 10, vc(6));
  del("1", 10, 5);
  BOOST_TEST(list()[0].clients.size() == 1u);
  BOOST_TEST(metrics.voice_clients.value() == 1);
  // The new owner's release does start it.
  release("1", 11);
  BOOST_TEST(sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(keys_are_independent) {
  caf::scoped_actor other{sys};
  claim("1", 10, self);
  claim("1-1", 11, other);
  BOOST_TEST(!taken_over(self));
  BOOST_TEST(list().size() == 2u);
}

BOOST_AUTO_TEST_CASE(status_counts_live_and_retained_sessions_and_clients) {
  claim("1", 10, self);
  set("1", 10, vc(5));
  set("1", 10, vc(6));
  claim("2", 11, self);
  set("2", 11, vc(5));
  release("2", 11);
  auto s = status();
  BOOST_TEST(s.sessions == 1u);
  BOOST_TEST(s.retained_sessions == 1u);
  BOOST_TEST(s.voice_clients == 3u);
  BOOST_TEST(s.uptime_s >= 0.0);
}

BOOST_AUTO_TEST_CASE(uptime_follows_the_actor_clock) {
  BOOST_TEST(status().uptime_s == 0.0);
  sched.advance_time(std::chrono::milliseconds(2500));
  BOOST_TEST(status().uptime_s == 2.5);
}

BOOST_AUTO_TEST_CASE(an_owner_that_dies_without_releasing_is_retained) {
  // (An argument, because CAF 0.17 binds a null reference when spawning a function without
  // one, which UBSan reports.)
  auto session = sys.spawn([](int) -> caf::behavior { return {[](int) {}}; }, 0);
  caf::anon_send(registry, actors::vc_claim_atom::value, std::string{"1"}, std::uint64_t{10},
                 caf::actor_cast<actors::voice_session_actor>(session));
  sched.run();
  set("1", 10, vc(5));
  caf::anon_send_exit(session, caf::exit_reason::kill);
  sched.run();
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(!xs[0].live);
  BOOST_TEST(fire_timer());
  BOOST_TEST(list().empty());
}

BOOST_AUTO_TEST_SUITE_END()
