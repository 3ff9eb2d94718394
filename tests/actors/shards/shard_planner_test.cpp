// The shard planner on the deterministic coordinator: the release delay, re-identify,
// SHARDS_ASSIGNED hand-outs and identify grants per bucket, time driven by the test clock.

#include "tests/actors/shards/planner_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(coord::actors::shard_status)


BOOST_FIXTURE_TEST_SUITE(shard_planner, planner_fixture)

BOOST_AUTO_TEST_CASE(identified_lists_the_lowest_free_shards_or_the_requested_ones) {
  start(6, 3, 10s);
  caf::scoped_actor a{sys}, b{sys}, c{sys};
  BOOST_TEST(identify(a, 1) == (ids{0, 1}));
  BOOST_TEST(identify(b, 2, {4, 5, 9}) == (ids{4, 5}));
  BOOST_TEST(identify(c, 3, {0, 2}) == (ids{2, 3})); // 0 is owned: lowest free instead
  auto p = plan();
  BOOST_TEST(p.share == 2u);
  BOOST_REQUIRE_EQUAL(p.shards.size(), 6u);
  BOOST_TEST((p.shards[4].status == actors::shard_status::owned && p.shards[4].owner == 2u));
  BOOST_REQUIRE_EQUAL(p.sessions.size(), 3u);
  BOOST_TEST(p.sessions[2].shards == (ids{2, 3}));
}

BOOST_AUTO_TEST_CASE(shards_return_to_the_pool_after_the_release_delay) {
  start(3, 2, 10s);
  caf::scoped_actor a{sys}, b{sys}, c{sys};
  identify(a, 1); // 0 1
  identify(b, 2); // 2: below its share
  end(1);
  auto p = plan();
  BOOST_TEST((p.shards[0].status == actors::shard_status::held && p.shards[0].owner == 1u));
  BOOST_TEST(p.shards[1].release_in_ms == 10000);
  BOOST_TEST(drain(b).empty());
  BOOST_TEST(advance(9s) == 0u);
  BOOST_TEST(plan().shards[1].release_in_ms == 1000);
  // The release timer fires: b gets one of them with its full new list.
  BOOST_TEST(fire_timer());
  auto got = drain(b);
  BOOST_REQUIRE_EQUAL(got.assigned.size(), 1u);
  BOOST_TEST(got.assigned[0] == (ids{0, 2}));
  p = plan();
  BOOST_TEST(p.shards[1].status == actors::shard_status::free);
  BOOST_TEST(identify(c, 3) == (ids{1}));
}

BOOST_AUTO_TEST_CASE(a_re_identify_inside_the_delay_keeps_the_shards) {
  start(4, 2, 10s);
  caf::scoped_actor a{sys}, b{sys}, again{sys};
  identify(a, 1);
  identify(b, 2);
  end(1);
  advance(5s);
  // A new session (a new id) of the same sharder asks for its shards back.
  BOOST_TEST(identify(again, 7, {0, 1}) == (ids{0, 1}));
  BOOST_TEST(fire_timer()); // the old release timer finds nothing to free
  BOOST_TEST(drain(again).empty());
  BOOST_TEST(drain(b).empty());
  auto p = plan();
  BOOST_TEST((p.shards[0].status == actors::shard_status::owned && p.shards[0].owner == 7u));
  BOOST_TEST(p.shards[1].owner == 7u);
}

BOOST_AUTO_TEST_CASE(a_re_identify_without_shards_does_not_get_the_held_ones) {
  start(4, 2, 10s);
  caf::scoped_actor a{sys}, again{sys};
  identify(a, 1); // 0 1
  end(1);
  BOOST_TEST(identify(again, 2) == (ids{2, 3}));
  BOOST_TEST(fire_timer());
  BOOST_TEST(drain(again).empty()); // at its share: the released ones stay free
  BOOST_TEST(plan().shards[0].status == actors::shard_status::free);
}

BOOST_AUTO_TEST_CASE(a_restarted_original_sharder_gets_its_held_shards_in_identified) {
  start(4, 2, 10s);
  caf::scoped_actor a{sys}, b{sys}, restarted{sys};
  identify(a, 1); // 0 1
  identify(b, 2); // 2 3
  end(2);         // the process dies; nothing is free
  // It comes back without d.shards (the original sharder reads only IDENTIFIED).
  BOOST_TEST(identify(restarted, 3) == (ids{2, 3}));
  auto p = plan();
  BOOST_TEST((p.shards[2].status == actors::shard_status::owned && p.shards[2].owner == 3u));
  // The hold's timer finds nothing to free: no SHARDS_ASSIGNED to anyone.
  BOOST_TEST(fire_timer());
  BOOST_TEST(drain(restarted).empty());
  BOOST_TEST(drain(a).empty());
}

BOOST_AUTO_TEST_CASE(shards_released_together_reach_each_sharder_in_one_event) {
  start(8, 4, 10s);
  caf::scoped_actor a{sys}, b{sys}, c{sys}, d{sys};
  BOOST_TEST(identify(a, 1, {0, 1, 2, 3, 4, 5}).size() == 6u); // more than its share
  BOOST_TEST(identify(b, 2) == (ids{6, 7}));
  BOOST_TEST(identify(c, 3).empty());
  BOOST_TEST(identify(d, 4).empty());
  end(1);
  BOOST_TEST(fire_timer());
  BOOST_TEST(drain(b).empty());
  auto gc = drain(c);
  auto gd = drain(d);
  BOOST_REQUIRE_EQUAL(gc.assigned.size(), 1u);
  BOOST_REQUIRE_EQUAL(gd.assigned.size(), 1u);
  BOOST_TEST(gc.assigned[0] == (ids{0, 1}));
  BOOST_TEST(gd.assigned[0] == (ids{2, 3}));
}

BOOST_AUTO_TEST_CASE(a_session_actor_that_dies_holds_its_shards_like_an_ended_session) {
  start(2, 1, 10s);
  {
    caf::scoped_actor gone{sys};
    identify(gone, 1);
  }
  sched.run();
  auto p = plan();
  BOOST_TEST(p.shards[0].status == actors::shard_status::held);
  BOOST_TEST(p.sessions.empty());
  BOOST_TEST(fire_timer());
  BOOST_TEST(plan().shards[0].status == actors::shard_status::free);
}

BOOST_AUTO_TEST_CASE(a_zero_release_delay_frees_at_once) {
  start(2, 2, caf::timespan{0});
  caf::scoped_actor a{sys}, b{sys};
  identify(a, 1, {0, 1});
  identify(b, 2);
  end(1);
  auto got = drain(b);
  BOOST_REQUIRE_EQUAL(got.assigned.size(), 1u);
  BOOST_TEST(got.assigned[0] == (ids{0}));
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(one_grant_per_5s_across_sharders_in_request_order) {
  start(4, 2, 10s, 1);
  caf::scoped_actor a{sys}, b{sys};
  identify(a, 1); // 0 1
  identify(b, 2); // 2 3
  request(1, 0);
  request(2, 2);
  request(1, 1);
  BOOST_TEST(drain(a).granted == (ids{0}));
  BOOST_TEST(drain(b).empty());
  auto p = plan();
  BOOST_REQUIRE_EQUAL(p.buckets.size(), 1u);
  BOOST_REQUIRE_EQUAL(p.buckets[0].waiting.size(), 2u);
  BOOST_TEST(p.buckets[0].waiting[0].session == 2u);
  BOOST_TEST(p.buckets[0].next_grant_in_ms == 5000);
  BOOST_TEST(advance(4999ms) == 0u);
  BOOST_TEST(drain(b).empty());
  BOOST_TEST(advance(1ms) == 1u);
  BOOST_TEST(drain(b).granted == (ids{2}));
  BOOST_TEST(drain(a).empty());
  // The next one by the timer alone.
  BOOST_TEST(fire_timer());
  BOOST_TEST(drain(a).granted == (ids{1}));
  BOOST_TEST(!sched.has_pending_timeout());
  p = plan();
  BOOST_TEST(p.grants == 3u);
  BOOST_TEST(p.buckets[0].waiting.empty());
  BOOST_TEST(p.buckets[0].next_grant_in_ms == 5000);
}

BOOST_AUTO_TEST_CASE(two_buckets_grant_side_by_side) {
  start(4, 2, 10s, 2);
  caf::scoped_actor a{sys}, b{sys};
  identify(a, 1); // 0 1
  identify(b, 2); // 2 3
  request(1, 0);
  request(2, 2);
  request(1, 1);
  request(2, 3);
  BOOST_TEST(drain(a).granted == (ids{0, 1})); // buckets 0 and 1 each grant once
  BOOST_TEST(drain(b).empty());
  BOOST_TEST(advance(5s) == 1u); // one tick serves both buckets
  BOOST_TEST(drain(b).granted == (ids{2, 3}));
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(an_earlier_free_bucket_is_not_held_up_by_a_later_one) {
  start(4, 1, 10s, 2);
  caf::scoped_actor a{sys};
  identify(a, 1); // 0 1 2 3
  request(1, 0);  // bucket 0 grants at t
  advance(2s);
  request(1, 1); // bucket 1 grants at t+2
  request(1, 3); // bucket 1 waits until t+7
  request(1, 2); // bucket 0 waits until t+5
  BOOST_TEST(drain(a).granted == (ids{0, 1}));
  BOOST_TEST(advance(3s) == 1u);
  BOOST_TEST(drain(a).granted == (ids{2}));
  BOOST_TEST(advance(2s) == 1u);
  BOOST_TEST(drain(a).granted == (ids{3}));
  BOOST_TEST(!sched.has_pending_timeout());
}

BOOST_AUTO_TEST_CASE(an_ended_session_loses_its_waiting_requests) {
  start(4, 2, 10s, 1);
  caf::scoped_actor a{sys}, b{sys};
  identify(a, 1);
  identify(b, 2);
  request(1, 0);
  request(1, 1);
  request(2, 2);
  BOOST_TEST(drain(a).granted == (ids{0}));
  end(1);
  BOOST_TEST(plan().buckets[0].waiting.size() == 1u);
  BOOST_TEST(advance(5s) == 1u);
  BOOST_TEST(drain(b).granted == (ids{2}));
  BOOST_TEST(drain(a).empty());
}

BOOST_AUTO_TEST_CASE(requests_for_shards_not_owned_are_ignored_and_counted) {
  start(4, 2, 10s, 1);
  caf::scoped_actor a{sys}, b{sys};
  identify(a, 1);
  identify(b, 2);
  request(1, 2); // b's
  request(9, 0); // not a sharder
  request(1, 7); // no such shard
  request(2, 2);
  request(2, 3);
  request(2, 3); // already waiting
  BOOST_TEST(drain(a).empty());
  BOOST_TEST(drain(b).granted == (ids{2}));
  auto p = plan();
  BOOST_TEST(p.ignored_requests == 4u);
  BOOST_TEST(p.buckets[0].waiting.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
