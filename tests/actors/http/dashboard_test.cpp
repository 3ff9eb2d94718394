// The dashboard actor: polls of one window share one gathering and one encoded body; a later
// poll gathers again; a source that fails answers 503, never a stale or empty 200.

#include "tests/actors/fixture.hpp"

#include "actors/http/dashboard.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

#include <memory>

using namespace coord;
using namespace coord::test;

namespace {

/// How often each stand-in was asked.
struct asks {
  int music = 0;
  int services = 0;
  int plan = 0;
};

caf::behavior stats_stub(caf::event_based_actor*, std::shared_ptr<asks> n) {
  return {[n](actors::music_get_atom) {
    ++n->music;
    actors::music_snapshot s;
    s.playing = n->music;
    return s;
  }};
}

caf::behavior broker_stub(caf::event_based_actor*, std::shared_ptr<asks> n) {
  return {[n](actors::services_atom) {
    ++n->services;
    return std::vector<actors::service_info>{};
  }};
}

caf::behavior planner_stub(caf::event_based_actor*, std::shared_ptr<asks> n) {
  return {[n](actors::shard_plan_atom) {
    ++n->plan;
    actors::shard_plan p;
    p.shard_count = 1;
    return p;
  }};
}

/// A planner that never answers with a plan.
caf::behavior failing_planner(caf::event_based_actor*) {
  return {[](actors::shard_plan_atom) -> caf::result<actors::shard_plan> {
    return actors::make_coord_error(actors::coord_errc::not_found, "no plan");
  }};
}

struct dashboard_fixture : actor_fixture {
  std::shared_ptr<asks> n = std::make_shared<asks>();

  actors::dashboard_actor spawn_dashboard(std::chrono::milliseconds max_age, bool planner_fails = false) {
    actors::dashboard_deps deps;
    deps.stats = caf::actor_cast<actors::shard_stats_actor>(track(sys.spawn(stats_stub, n)));
    deps.directory =
      caf::actor_cast<actors::service_directory_actor>(track(sys.spawn(broker_stub, n)));
    deps.planner = caf::actor_cast<actors::shard_planner_actor>(
      track(planner_fails ? sys.spawn(failing_planner) : sys.spawn(planner_stub, n)));
    deps.metrics = &metrics;
    deps.max_age = max_age;
    deps.wall = test_wall_clock();
    return track(sys.spawn(actors::dashboard, deps));
  }

  std::shared_ptr<fake_responder> poll(const actors::dashboard_actor& d) {
    auto r = std::make_shared<fake_responder>();
    caf::anon_send(d, actors::dashboard_atom::value, actors::http_responder_ptr{r});
    return r;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(dashboard, dashboard_fixture)

BOOST_AUTO_TEST_CASE(polls_of_one_window_share_one_snapshot) {
  auto d = spawn_dashboard(std::chrono::hours(1));
  metrics.sessions[0].set(2);
  auto a = poll(d);
  auto b = poll(d); // arrives while the first gathering is under way
  sched.run();
  auto c = poll(d); // arrives after it, inside the window
  sched.run();
  BOOST_TEST(n->music == 1);
  BOOST_TEST(n->services == 1);
  BOOST_TEST(n->plan == 1);
  for (const auto& r : {a, b, c}) {
    BOOST_REQUIRE(r->answer);
    BOOST_TEST(r->answer->status == 200u);
    BOOST_TEST(r->answer->content_type == "application/json");
    BOOST_TEST(r->answer->body == a->answer->body);
  }
  auto o = boost::json::parse(a->answer->body).as_object();
  BOOST_TEST(o.at("sessions").at("companion").as_int64() == 2);
  BOOST_TEST(o.at("shards").at("shardCount").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(a_poll_after_the_window_gathers_again) {
  auto d = spawn_dashboard(std::chrono::milliseconds(0));
  auto a = poll(d);
  sched.run();
  auto b = poll(d);
  sched.run();
  BOOST_TEST(n->music == 2);
  BOOST_REQUIRE(a->answer && b->answer);
  auto playing = [](const ports::http_response& r) {
    return boost::json::parse(r.body).at("music").at("playing").as_int64();
  };
  BOOST_TEST(playing(*a->answer) == 1);
  BOOST_TEST(playing(*b->answer) == 2);
}

BOOST_AUTO_TEST_CASE(the_window_uptime_and_at_follow_the_actor_clock) {
  auto wall = test_wall_clock();
  const auto wall_start = wall();
  auto d = spawn_dashboard(std::chrono::milliseconds(500));
  sched.run(); // the dashboard starts: its uptime counts from here
  sched.advance_time(std::chrono::seconds(2));
  auto a = poll(d);
  sched.run();
  sched.advance_time(std::chrono::milliseconds(499));
  auto b = poll(d); // inside the window: the same snapshot
  sched.run();
  BOOST_TEST(n->music == 1);
  sched.advance_time(std::chrono::milliseconds(1));
  auto c = poll(d); // the window is over
  sched.run();
  BOOST_TEST(n->music == 2);
  BOOST_REQUIRE(a->answer && b->answer && c->answer);
  BOOST_TEST(b->answer->body == a->answer->body);
  auto first = boost::json::parse(a->answer->body).as_object();
  auto last = boost::json::parse(c->answer->body).as_object();
  BOOST_TEST(first.at("uptimeMs").as_int64() == 2000);
  BOOST_TEST(first.at("at").as_int64() == wall_start + 2000);
  BOOST_TEST(last.at("uptimeMs").as_int64() == 2500);
  BOOST_TEST(last.at("at").as_int64() == wall_start + 2500);
}

BOOST_AUTO_TEST_CASE(a_source_that_fails_answers_503_to_every_waiting_poll) {
  auto d = spawn_dashboard(std::chrono::hours(1), true);
  auto a = poll(d);
  auto b = poll(d);
  sched.run();
  BOOST_REQUIRE(a->answer && b->answer);
  BOOST_TEST(a->answer->status == 503u);
  BOOST_TEST(b->answer->status == 503u);
  BOOST_TEST(a->answer->body.find("error") != std::string::npos);
  // The next poll tries again instead of waiting forever.
  auto c = poll(d);
  sched.run();
  BOOST_REQUIRE(c->answer);
  BOOST_TEST(c->answer->status == 503u);
}

BOOST_AUTO_TEST_SUITE_END()
