// Rendezvous routing and the bounded wait queue.

#include "actors/broker/command_router.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

using coord::actors::command_router;

BOOST_AUTO_TEST_SUITE(command_router_tests)

BOOST_AUTO_TEST_CASE(no_worker_no_pick) {
  command_router r{10, std::chrono::seconds(30)};
  BOOST_TEST(!r.pick(1).has_value());
}

BOOST_AUTO_TEST_CASE(a_guild_stays_on_one_worker_and_load_spreads) {
  command_router r{10, std::chrono::seconds(30)};
  for (std::uint64_t w : {11, 22, 33})
    r.add_worker(w);
  std::map<std::uint64_t, int> load;
  for (std::uint64_t g = 0; g < 3000; ++g) {
    auto w = r.pick(g * 4194304 + 17);
    BOOST_REQUIRE(w);
    BOOST_TEST(*w == *r.pick(g * 4194304 + 17));
    ++load[*w];
  }
  BOOST_TEST(load.size() == 3u);
  for (auto& [w, n] : load)
    BOOST_TEST((n > 800 && n < 1200), "worker " << w << " got " << n);
}

BOOST_AUTO_TEST_CASE(removing_a_worker_moves_only_its_guilds) {
  command_router r{10, std::chrono::seconds(30)};
  for (std::uint64_t w : {1, 2, 3, 4})
    r.add_worker(w);
  std::map<std::uint64_t, std::uint64_t> before;
  for (std::uint64_t g = 0; g < 1000; ++g)
    before[g] = *r.pick(g);
  r.remove_worker(3);
  for (auto& [g, w] : before)
    if (w != 3)
      BOOST_TEST(*r.pick(g) == w);
    else
      BOOST_TEST(*r.pick(g) != 3u);
}

BOOST_AUTO_TEST_CASE(queue_is_bounded_and_expires_oldest_first) {
  command_router r{2, std::chrono::seconds(30)};
  auto t0 = command_router::clock::time_point{};
  BOOST_TEST(r.buffer({1, coord::ports::make_buffer("a"), t0}));
  BOOST_TEST(r.buffer({2, coord::ports::make_buffer("b"), t0 + std::chrono::seconds(10)}));
  BOOST_TEST(!r.buffer({3, coord::ports::make_buffer("c"), t0}));
  BOOST_TEST(r.expire(t0 + std::chrono::seconds(31)) == 1u);
  auto left = r.take_backlog();
  BOOST_REQUIRE_EQUAL(left.size(), 1u);
  BOOST_TEST(*left.front().json == "b");
  BOOST_TEST(r.backlog() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
