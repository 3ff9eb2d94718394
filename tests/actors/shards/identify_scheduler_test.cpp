// Identify buckets without actors: one grant per bucket per 5 s, in request order.

#include "actors/shards/identify_scheduler.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;

namespace {

using sched_t = coord::actors::identify_scheduler;
using grants = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

grants poll(sched_t& s, sched_t::clock::time_point now) {
  grants out;
  for (const auto& g : s.poll(now))
    out.emplace_back(g.session, g.shard);
  return out;
}

const sched_t::clock::time_point t0{1h};

} // namespace

// "shard_" so that --run_test='shard_*' runs it with the rest of the shard planner.
BOOST_AUTO_TEST_SUITE(shard_identify_scheduler)

BOOST_AUTO_TEST_CASE(one_bucket_grants_once_per_interval_in_request_order) {
  sched_t s{1};
  BOOST_TEST(!s.next_due());
  s.enqueue(1, 0);
  s.enqueue(2, 3);
  s.enqueue(1, 1);
  BOOST_TEST((poll(s, t0) == grants{{1, 0}}));
  BOOST_TEST(poll(s, t0 + 4999ms).empty());
  BOOST_TEST((*s.next_due() == t0 + 5s));
  BOOST_TEST((poll(s, t0 + 5s) == grants{{2, 3}}));
  BOOST_TEST((poll(s, t0 + 12s) == grants{{1, 1}}));
  BOOST_TEST(!s.next_due());
  // The next request waits 5 s from the last grant, not from the request.
  s.enqueue(3, 2);
  BOOST_TEST(poll(s, t0 + 13s).empty());
  BOOST_TEST((poll(s, t0 + 17s) == grants{{3, 2}}));
}

BOOST_AUTO_TEST_CASE(buckets_are_shard_modulo_max_concurrency_and_independent) {
  sched_t s{2};
  BOOST_TEST(s.bucket_of(5) == 1u);
  s.enqueue(1, 0);
  s.enqueue(1, 2);
  s.enqueue(2, 1);
  s.enqueue(2, 3);
  BOOST_TEST((poll(s, t0) == grants{{1, 0}, {2, 1}}));
  BOOST_TEST((poll(s, t0 + 5s) == grants{{1, 2}, {2, 3}}));
}

BOOST_AUTO_TEST_CASE(a_dropped_session_loses_its_waiting_requests) {
  sched_t s{1};
  s.enqueue(1, 0);
  s.enqueue(1, 1);
  s.enqueue(2, 2);
  s.enqueue(1, 3);
  BOOST_TEST((poll(s, t0) == grants{{1, 0}}));
  BOOST_TEST(s.drop(1) == 2u);
  BOOST_TEST((poll(s, t0 + 5s) == grants{{2, 2}}));
  BOOST_TEST(poll(s, t0 + 10s).empty());
}

BOOST_AUTO_TEST_CASE(a_repeated_request_keeps_its_place) {
  sched_t s{1};
  s.enqueue(1, 0);
  s.enqueue(1, 1);
  s.enqueue(2, 2);
  BOOST_TEST(!s.enqueue(1, 1));
  BOOST_TEST(s.buckets()[0].queue.size() == 3u);
  // The same shard from another session is another request.
  BOOST_TEST(s.enqueue(2, 1));
}

BOOST_AUTO_TEST_CASE(zero_max_concurrency_counts_as_one) {
  sched_t s{0};
  BOOST_TEST(s.max_concurrency() == 1u);
  BOOST_TEST(s.bucket_of(7) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
