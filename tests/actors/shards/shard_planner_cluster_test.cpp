// The shard planner in cluster mode (SPEC.md §9) on the deterministic coordinator: a new
// active's recorded shard owners become holds, identify grants pause, owner changes go to
// the recorder, and standing down resets everything.

#include "tests/actors/shards/planner_fixture.hpp"

#include "actors/cluster/cluster_messages.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;
using actors::shard_record;
using actors::shard_status;

BOOST_TEST_DONT_PRINT_LOG_VALUE(coord::actors::shard_status)
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::vector<coord::actors::shard_record>)

namespace {

using records = std::vector<shard_record>;

struct cluster_planner_fixture : planner_fixture {
  cluster_planner_fixture() : recorder(sys) {}

  /// The cluster actor (here `recorder`) hands the planner what the last active recorded.
  void recover(records rs, caf::timespan pause = 5s) {
    recorder->send(planner, actors::cl_recover_atom::value, std::move(rs), pause);
    sched.run();
  }

  void deactivate() {
    recorder->send(planner, actors::cl_deactivate_atom::value);
    sched.run();
  }

  /// Every cl_shards message the recorder got since the last call, in order.
  std::vector<records> recorded() {
    std::vector<records> out;
    for (bool more = true; more;)
      recorder->receive(
        [&](actors::cl_shards_atom, records& xs) { out.push_back(std::move(xs)); },
        caf::after(0s) >> [&] { more = false; });
    return out;
  }

  /// The identify grants `who` got since the last call.
  static ids granted(caf::scoped_actor& who) { return drain(who).granted; }

  caf::scoped_actor recorder;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(shard_planner_cluster, cluster_planner_fixture)

BOOST_AUTO_TEST_CASE(recorded_shards_are_held_for_their_old_sessions) {
  start(6, 3, 10s);
  recover({{0, 11}, {1, 11}, {2, 22}, {3, 22}, {9, 33}}); // 9: beyond shard_count, ignored
  auto p = plan();
  BOOST_REQUIRE_EQUAL(p.shards.size(), 6u);
  for (std::uint32_t id : {0u, 1u, 2u, 3u}) {
    BOOST_TEST((p.shards[id].status == shard_status::held), "shard " << id);
    BOOST_TEST(p.shards[id].owner == (id < 2 ? 11u : 22u));
    BOOST_TEST(p.shards[id].release_in_ms == 10000);
  }
  BOOST_TEST((p.shards[4].status == shard_status::free));
  BOOST_TEST((p.shards[5].status == shard_status::free));
  BOOST_TEST(p.sessions.empty());
  // What etcd holds is what the planner holds: nothing to write.
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_CASE(a_sharder_naming_its_shards_within_the_delay_gets_them_back) {
  start(4, 2, 10s);
  recover({{0, 11}, {1, 11}, {2, 22}, {3, 22}});
  advance(9s);
  caf::scoped_actor a{sys};
  // A new session of the sharder that held 2 and 3 on the old active.
  BOOST_TEST(identify(a, 44, {2, 3}) == (ids{2, 3}));
  auto rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 1u);
  BOOST_TEST((rec[0] == records{{2, 44}, {3, 44}}));
  // The rest is released when the delay ends, and only the rest.
  advance(1s);
  auto p = plan();
  BOOST_TEST((p.shards[0].status == shard_status::free));
  BOOST_TEST((p.shards[2].status == shard_status::owned && p.shards[2].owner == 44u));
  rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 1u);
  BOOST_TEST((rec[0] == records{{0, 0}, {1, 0}}));
}

BOOST_AUTO_TEST_CASE(a_sharder_without_shards_tops_up_from_the_recorded_ones) {
  start(4, 2, 10s);
  recover({{0, 11}, {1, 11}, {2, 22}, {3, 22}});
  caf::scoped_actor a{sys};
  // An original client (no d.shards) runs its share at once, longest held first.
  BOOST_TEST(identify(a, 55) == (ids{0, 1}));
  auto rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 1u);
  BOOST_TEST((rec[0] == records{{0, 55}, {1, 55}}));
  BOOST_TEST((plan().shards[2].status == shard_status::held));
}

BOOST_AUTO_TEST_CASE(recorded_shards_are_released_after_the_delay_and_handed_out) {
  start(4, 2, 10s);
  recover({{0, 11}, {1, 11}});
  caf::scoped_actor b{sys};
  BOOST_TEST(identify(b, 66) == (ids{2, 3})); // its share of the free ones
  BOOST_TEST((recorded() == std::vector<records>{{{2, 66}, {3, 66}}}));
  BOOST_TEST(advance(9s) == 0u);
  BOOST_TEST((plan().shards[0].status == shard_status::held));
  advance(1s);
  auto p = plan();
  BOOST_TEST((p.shards[0].status == shard_status::free));
  BOOST_TEST((p.shards[1].status == shard_status::free));
  BOOST_TEST((recorded() == std::vector<records>{{{0, 0}, {1, 0}}}));
}

BOOST_AUTO_TEST_CASE(no_identify_is_granted_during_the_pause_then_grants_resume) {
  start(2, 1, 10s);
  recover({{0, 11}, {1, 11}}, 5s);
  caf::scoped_actor a{sys};
  BOOST_TEST(identify(a, 77, {0, 1}) == (ids{0, 1}));
  request(77, 0);
  request(77, 1);
  BOOST_TEST(granted(a).empty());
  advance(4s);
  BOOST_TEST(granted(a).empty());
  // The pause ends: one grant (one bucket), the next 5 s later as always.
  advance(1s);
  BOOST_TEST(granted(a) == (ids{0}));
  advance(4s);
  BOOST_TEST(granted(a).empty());
  advance(1s);
  BOOST_TEST(granted(a) == (ids{1}));
}

BOOST_AUTO_TEST_CASE(ends_and_zero_delay_releases_are_recorded) {
  start(2, 1, 0s);
  recover({}, 0s);
  caf::scoped_actor a{sys}, b{sys};
  BOOST_TEST(identify(a, 1) == (ids{0, 1}));
  BOOST_TEST((recorded() == std::vector<records>{{{0, 1}, {1, 1}}}));
  end(1); // no delay: free at once
  BOOST_TEST((recorded() == std::vector<records>{{{0, 0}, {1, 0}}}));
  BOOST_TEST(identify(b, 2, {1}) == (ids{1}));
  BOOST_TEST((recorded() == std::vector<records>{{{1, 2}}}));
}

BOOST_AUTO_TEST_CASE(an_ended_session_keeps_its_record_while_held) {
  start(2, 1, 10s);
  recover({}, 0s);
  caf::scoped_actor a{sys};
  identify(a, 1);
  recorded();
  // Held for the same sharder: a new active must still hold them for it, so no change.
  end(1);
  BOOST_TEST(recorded().empty());
  advance(10s);
  BOOST_TEST((recorded() == std::vector<records>{{{0, 0}, {1, 0}}}));
}

BOOST_AUTO_TEST_CASE(nothing_is_recorded_without_a_recover_or_after_deactivate) {
  start(2, 1, 0s);
  caf::scoped_actor a{sys}, b{sys};
  identify(a, 1);
  end(1);
  BOOST_TEST(recorded().empty());
  recover({}, 0s);
  deactivate();
  identify(b, 2);
  end(2);
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_CASE(deactivate_resets_owners_holds_and_sharders) {
  start(4, 2, 10s);
  recover({{0, 11}, {1, 11}});
  caf::scoped_actor a{sys};
  identify(a, 5); // 2 3
  BOOST_TEST((recorded() == std::vector<records>{{{2, 5}, {3, 5}}}));
  deactivate();
  auto p = plan();
  for (const auto& s : p.shards)
    BOOST_TEST((s.status == shard_status::free), "shard " << s.shard);
  BOOST_TEST(p.sessions.empty());
  // The old release timer fires into the new table and finds nothing to do.
  advance(10s);
  BOOST_TEST(recorded().empty());
  // A session of the old table that ends now changes nothing.
  end(5);
  BOOST_TEST(plan().sessions.empty());
}

BOOST_AUTO_TEST_CASE(a_stale_release_timer_does_not_release_a_new_hold_early) {
  start(2, 1, 10s);
  recover({{0, 11}, {1, 11}}); // hold 1, due at t+10
  advance(6s);
  deactivate();
  recover({{0, 12}, {1, 12}}); // hold 1 of the new table, due at t+16
  advance(4s);                 // t+10: the first timer fires
  auto p = plan();
  BOOST_TEST((p.shards[0].status == shard_status::held));
  BOOST_TEST(p.shards[0].owner == 12u);
  BOOST_TEST(p.shards[0].release_in_ms == 6000);
  BOOST_TEST(recorded().empty());
  advance(6s);
  BOOST_TEST((plan().shards[0].status == shard_status::free));
  BOOST_TEST((recorded() == std::vector<records>{{{0, 0}, {1, 0}}}));
}

BOOST_AUTO_TEST_CASE(a_second_recover_replaces_the_first) {
  start(2, 1, 10s);
  recover({{0, 11}, {1, 11}});
  caf::scoped_actor a{sys};
  identify(a, 5, {0, 1});
  recorded();
  recover({{1, 12}});
  auto p = plan();
  BOOST_TEST((p.shards[0].status == shard_status::free));
  BOOST_TEST((p.shards[1].status == shard_status::held && p.shards[1].owner == 12u));
  BOOST_TEST(p.sessions.empty());
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_SUITE_END()
