// Shard ownership without actors: hand-out, requests, holds, release and reassignment, and a
// randomized run that checks the invariants after every step.
// Past 400 lines on purpose: the randomized invariant run reuses every helper of the cases
// above it.

#include "actors/shards/shard_table.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace {
using table = coord::actors::shard_table;
using ids = std::vector<table::shard_id>;
using state = table::state;
} // namespace

BOOST_TEST_DONT_PRINT_LOG_VALUE(coord::actors::shard_table::state)

BOOST_AUTO_TEST_SUITE(shard_table)

BOOST_AUTO_TEST_CASE(share_is_shards_over_sharders_rounded_up) {
  BOOST_TEST(table(1, 1).share() == 1u);
  BOOST_TEST(table(4, 2).share() == 2u);
  BOOST_TEST(table(10, 3).share() == 4u);
  BOOST_TEST(table(3, 5).share() == 1u);
  BOOST_TEST(table(7, 0).share() == 7u); // 0 sharders count as 1
  BOOST_TEST(table(0, 2).share() == 0u);
}

BOOST_AUTO_TEST_CASE(sharders_get_the_lowest_free_ids_up_to_the_share) {
  table t{10, 3};
  BOOST_TEST(t.identify(1, {}).shards == (ids{0, 1, 2, 3}));
  BOOST_TEST(t.identify(2, {}).shards == (ids{4, 5, 6, 7}));
  BOOST_TEST(t.identify(3, {}).shards == (ids{8, 9}));
  BOOST_TEST(t.identify(4, {}).shards.empty());
  BOOST_TEST(t.owns(2, 5));
  BOOST_TEST(!t.owns(1, 5));
  BOOST_TEST(t.sessions() == (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(requested_shards_are_granted_when_none_is_owned) {
  table t{8, 4};
  auto a = t.identify(1, {5, 2});
  BOOST_TEST(a.as_requested);
  BOOST_TEST(a.shards == (ids{2, 5}));
  // Lowest free ids skip the requested ones.
  BOOST_TEST(t.identify(2, {}).shards == (ids{0, 1}));
  // A request may exceed the share.
  auto c = t.identify(3, {3, 4, 6, 7});
  BOOST_TEST(c.as_requested);
  BOOST_TEST(c.shards == (ids{3, 4, 6, 7}));
}

BOOST_AUTO_TEST_CASE(a_request_naming_an_owned_shard_gets_the_lowest_free_instead) {
  table t{6, 3};
  t.identify(1, {1});
  auto b = t.identify(2, {1, 4}); // all or nothing: 1 is owned
  BOOST_TEST(!b.as_requested);
  BOOST_TEST(b.shards == (ids{0, 2}));
  BOOST_TEST(t.at(4).st == state::free);
}

BOOST_AUTO_TEST_CASE(out_of_range_and_duplicate_ids_are_ignored) {
  table t{4, 2};
  auto a = t.identify(1, {3, 9, 3, 4});
  BOOST_TEST(a.as_requested);
  BOOST_TEST(a.shards == (ids{3}));
  // Nothing in range left: as if nothing was asked.
  auto b = t.identify(2, {4, 100});
  BOOST_TEST(!b.as_requested);
  BOOST_TEST(b.shards == (ids{0, 1}));
}

BOOST_AUTO_TEST_CASE(identifying_twice_changes_nothing) {
  table t{4, 2};
  t.identify(1, {});
  auto again = t.identify(1, {2, 3});
  BOOST_TEST(again.shards == (ids{0, 1}));
  BOOST_TEST(t.at(2).st == state::free);
}

BOOST_AUTO_TEST_CASE(an_ended_session_holds_its_shards_until_released) {
  table t{4, 2};
  t.identify(1, {});
  t.identify(2, {});
  auto hold = t.end(1);
  BOOST_TEST(hold != 0u);
  BOOST_TEST(t.held(hold) == (ids{0, 1}));
  BOOST_TEST((t.at(0).st == state::held && t.at(0).owner == 1u));
  // A sharder whose request is refused gets no held shard: they stay reserved.
  BOOST_TEST(t.identify(3, {2}).shards.empty());
  // Nobody is below the share after the release except 3, which gets both at once.
  auto out = t.release(hold);
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(out[0].session == 3u);
  BOOST_TEST(out[0].shards == (ids{0, 1}));
  BOOST_TEST(t.held(hold).empty());
}

BOOST_AUTO_TEST_CASE(a_sharder_without_a_request_takes_held_shards_longest_held_first) {
  table t{6, 3}; // share 2
  t.identify(1, {}); // 0 1
  t.identify(2, {}); // 2 3
  t.identify(3, {}); // 4 5
  auto older = t.end(2);
  auto newer = t.end(1);
  // An original sharder restarting: no d.shards, nothing free; it gets its share in
  // IDENTIFIED from the holds, the longest held first.
  auto got = t.identify(4, {});
  BOOST_TEST(!got.as_requested);
  BOOST_TEST(got.shards == (ids{2, 3}));
  BOOST_TEST(t.held(older).empty());
  BOOST_TEST(t.held(newer) == (ids{0, 1}));
  // Free shards come first, then held ones.
  t.release(newer); // 0 1 free again, nobody below the share
  t.end(3);         // 4 5 held
  BOOST_TEST(t.identify(5, {}).shards == (ids{0, 1}));
  BOOST_TEST(t.identify(6, {}).shards == (ids{4, 5}));
  // The release timers of emptied holds find nothing.
  BOOST_TEST(t.release(older).empty());
}

BOOST_AUTO_TEST_CASE(ending_a_session_without_shards_holds_nothing) {
  table t{1, 1};
  t.identify(1, {});
  t.identify(2, {});
  BOOST_TEST(t.end(2) == 0u);
  BOOST_TEST(t.end(42) == 0u);
}

BOOST_AUTO_TEST_CASE(a_new_session_asking_for_held_shards_takes_them_back) {
  table t{6, 2};
  t.identify(1, {});  // 0 1 2
  t.identify(2, {});  // 3 4 5
  auto hold = t.end(1);
  auto back = t.identify(7, {0, 1});
  BOOST_TEST(back.as_requested);
  BOOST_TEST(back.shards == (ids{0, 1}));
  BOOST_TEST(t.held(hold) == (ids{2}));
  // The timer frees what is still held; 7 is below its share and takes it.
  auto out = t.release(hold);
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(out[0].session == 7u);
  BOOST_TEST(out[0].shards == (ids{0, 1, 2}));
}

BOOST_AUTO_TEST_CASE(a_re_identify_with_every_held_shard_leaves_the_release_nothing) {
  table t{4, 2};
  t.identify(1, {});
  t.identify(2, {});
  auto hold = t.end(1);
  t.identify(3, {0, 1});
  BOOST_TEST(t.release(hold).empty());
  BOOST_TEST(t.shards_of(3) == (ids{0, 1}));
  BOOST_TEST(t.release(hold).empty()); // a second firing is harmless too
}

BOOST_AUTO_TEST_CASE(released_shards_go_to_sharders_below_their_share_one_event_each) {
  table t{8, 4};
  t.identify(1, {0, 1, 2, 3, 4, 5}); // asked for more than its share (2)
  t.identify(2, {});                 // 6 7
  t.identify(3, {});                 // nothing left
  t.identify(4, {});
  auto out = t.release(t.end(1));
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_TEST(out[0].session == 3u);
  BOOST_TEST(out[0].shards == (ids{0, 1}));
  BOOST_TEST(out[1].session == 4u);
  BOOST_TEST(out[1].shards == (ids{2, 3}));
  BOOST_TEST(t.at(4).st == state::free);
  BOOST_TEST(t.at(5).st == state::free);
  // A newcomer takes from the pool.
  BOOST_TEST(t.identify(5, {}).shards == (ids{4, 5}));
}

BOOST_AUTO_TEST_CASE(the_full_new_list_includes_the_shards_already_held) {
  table t{3, 2}; // share 2
  t.identify(1, {});   // 0 1
  t.identify(2, {});   // 2
  auto out = t.release(t.end(1));
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(out[0].shards == (ids{0, 2}));
  BOOST_TEST(t.at(1).st == state::free);
}

namespace {

/// Every shard is in exactly one state; an owned one is in exactly its owner's list; a held
/// one belongs to a hold not yet released.
void check_partition(const table& t, const std::set<table::hold_id>& holds) {
  std::vector<int> listed(t.shard_count(), 0);
  for (auto s : t.sessions()) {
    const auto& l = t.shards_of(s);
    BOOST_REQUIRE(std::adjacent_find(l.begin(), l.end(), std::greater_equal<>{}) == l.end());
    for (auto id : l) {
      BOOST_REQUIRE(id < t.shard_count());
      ++listed[id];
      BOOST_REQUIRE(t.at(id).st == state::owned);
      BOOST_REQUIRE_EQUAL(t.at(id).owner, s);
    }
  }
  std::size_t owned = 0, held = 0, free = 0;
  for (table::shard_id id = 0; id < t.shard_count(); ++id) {
    const auto& sl = t.at(id);
    switch (sl.st) {
      case state::owned:
        ++owned;
        BOOST_REQUIRE_EQUAL(listed[id], 1); // never two owners
        break;
      case state::held:
        ++held;
        BOOST_REQUIRE_EQUAL(listed[id], 0);
        BOOST_REQUIRE(holds.count(sl.hold) == 1);
        break;
      case state::free:
        ++free;
        BOOST_REQUIRE_EQUAL(listed[id], 0);
        BOOST_REQUIRE_EQUAL(sl.owner, 0u);
        break;
    }
  }
  BOOST_REQUIRE_EQUAL(owned + held + free, t.shard_count());
}

ids clean(ids xs, std::uint32_t n) {
  xs.erase(std::remove_if(xs.begin(), xs.end(), [&](auto id) { return id >= n; }), xs.end());
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  return xs;
}

/// A run of random connects, disconnects, re-identifies and timer firings.
class random_run {
public:
  /// How much of the interesting ground a run covered.
  struct coverage {
    std::size_t granted_requests = 0; ///< identifies that got what they asked for
    std::size_t handouts = 0;         ///< SHARDS_ASSIGNED events
    std::size_t reidentifies = 0;     ///< re-identifies asking for their shards back
  } stats;

  random_run(std::uint32_t shards, std::uint32_t sharders, std::uint64_t seed)
    : t_(shards, sharders), rng_(seed) {}

  void step() {
    auto r = pick(100);
    // Connects stop at about twice the expected sharders so that most sessions hold shards.
    auto n = t_.sessions().size();
    if (n == 0 || (r < 30 && n < 2 * t_.sharders() + 2))
      connect(request());
    else if (r < 55)
      disconnect(any_session());
    else if (r < 80 && !holds_.empty())
      release(any_hold());
    else if (r < 90)
      reidentify(any_session(), pick(2) == 0);
    else
      stale_release();
    check_partition(t_, holds_);
    for (auto s : capped_)
      BOOST_REQUIRE_LE(t_.shards_of(s).size(), t_.share());
  }

private:
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  std::uint64_t any_session() {
    auto ss = t_.sessions();
    return ss[pick(ss.size())];
  }
  table::hold_id any_hold() {
    auto i = holds_.begin();
    std::advance(i, pick(holds_.size()));
    return *i;
  }

  ids request() {
    auto kind = pick(100);
    if (kind < 40 || (holds_.empty() && kind < 75))
      return {};
    if (kind < 75) {
      auto held = t_.held(any_hold());
      if (kind >= 60 && held.size() > 1) // a subset of a hold
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(pick(held.size())));
      return held;
    }
    ids out(1 + pick(t_.share() + 2));
    for (auto& id : out)
      id = static_cast<table::shard_id>(pick(t_.shard_count() + 3));
    return out;
  }

  void connect(const ids& req) {
    auto session = next_session_++;
    std::vector<table::slot> before;
    for (table::shard_id id = 0; id < t_.shard_count(); ++id)
      before.push_back(t_.at(id));
    auto others = lists();
    auto got = t_.identify(session, req);
    auto want = clean(req, t_.shard_count());
    bool grantable = !want.empty() && std::none_of(want.begin(), want.end(), [&](auto id) {
      return before[id].st == state::owned;
    });
    BOOST_REQUIRE_EQUAL(got.as_requested, grantable);
    stats.granted_requests += grantable;
    if (grantable) {
      BOOST_REQUIRE(got.shards == want);
    } else {
      ids expect;
      for (table::shard_id id = 0; id < t_.shard_count() && expect.size() < t_.share();
           ++id)
        if (before[id].st == state::free)
          expect.push_back(id);
      if (want.empty()) {
        // No request: topped up from held shards, oldest hold first, lowest ids first.
        std::vector<std::pair<table::hold_id, table::shard_id>> held;
        for (table::shard_id id = 0; id < t_.shard_count(); ++id)
          if (before[id].st == state::held)
            held.emplace_back(before[id].hold, id);
        std::sort(held.begin(), held.end());
        for (const auto& h : held)
          if (expect.size() < t_.share())
            expect.push_back(h.second);
        std::sort(expect.begin(), expect.end());
      }
      BOOST_REQUIRE(got.shards == expect);
      capped_.insert(session);
    }
    BOOST_REQUIRE(got.shards == t_.shards_of(session));
    for (const auto& [s, l] : others)
      BOOST_REQUIRE(t_.shards_of(s) == l); // an identify never tops up another sharder
  }

  void disconnect(std::uint64_t session) {
    auto had = t_.shards_of(session);
    auto hold = t_.end(session);
    capped_.erase(session);
    BOOST_REQUIRE(!t_.identified_session(session));
    BOOST_REQUIRE_EQUAL(hold == 0, had.empty());
    if (hold != 0) {
      BOOST_REQUIRE(t_.held(hold) == had);
      holds_.insert(hold);
    }
  }

  void release(table::hold_id hold) {
    auto before = lists();
    bool held = !t_.held(hold).empty();
    auto out = t_.release(hold);
    holds_.erase(hold);
    BOOST_REQUIRE(t_.held(hold).empty());
    if (!held) {
      // Re-identifies took every shard back: the timer finds nothing and hands out nothing.
      BOOST_REQUIRE(out.empty());
      BOOST_REQUIRE(lists() == before);
      return;
    }
    std::set<std::uint64_t> got;
    stats.handouts += out.size();
    for (const auto& a : out) {
      BOOST_REQUIRE(got.insert(a.session).second); // one event per sharder
      BOOST_REQUIRE(a.shards == t_.shards_of(a.session));
      const auto& old = before.at(a.session);
      BOOST_REQUIRE_GT(a.shards.size(), old.size());
      BOOST_REQUIRE(std::includes(a.shards.begin(), a.shards.end(), old.begin(), old.end()));
      BOOST_REQUIRE_LE(a.shards.size(), t_.share()); // a hand-out stops at the share
    }
    for (const auto& [s, l] : before)
      if (!got.count(s))
        BOOST_REQUIRE(t_.shards_of(s) == l);
    // After a hand-out, no free shard is left while a sharder is below its share.
    bool any_free = false;
    for (table::shard_id id = 0; id < t_.shard_count(); ++id)
      any_free = any_free || t_.at(id).st == state::free;
    if (any_free)
      for (auto s : t_.sessions())
        BOOST_REQUIRE_GE(t_.shards_of(s).size(), t_.share());
  }

  void reidentify(std::uint64_t session, bool with_shards) {
    auto had = t_.shards_of(session);
    stats.reidentifies += with_shards && !had.empty();
    disconnect(session);
    connect(with_shards ? had : ids{});
    if (with_shards && !had.empty())
      BOOST_REQUIRE(t_.shards_of(next_session_ - 1) == had); // held for it: it gets them
  }

  void stale_release() {
    auto before = lists();
    BOOST_REQUIRE(t_.release(1000000 + pick(1000)).empty());
    BOOST_REQUIRE(lists() == before);
  }

  std::map<std::uint64_t, ids> lists() const {
    std::map<std::uint64_t, ids> out;
    for (auto s : t_.sessions())
      out[s] = t_.shards_of(s);
    return out;
  }

  table t_;
  std::mt19937_64 rng_;
  std::set<table::hold_id> holds_;
  std::set<std::uint64_t> capped_; ///< sessions that asked for nothing (or were refused)
  std::uint64_t next_session_ = 1;
};

} // namespace

BOOST_AUTO_TEST_CASE(random_runs_keep_every_shard_with_at_most_one_owner) {
  struct shape {
    std::uint32_t shards, sharders;
  };
  const shape shapes[] = {{1, 1}, {4, 2}, {10, 3}, {16, 4}, {7, 10}, {64, 5}, {3, 1}};
  std::uint64_t seed = 1;
  random_run::coverage total;
  for (auto [shards, sharders] : shapes)
    for (int round = 0; round < 2; ++round) {
      BOOST_TEST_CONTEXT("shards=" << shards << " sharders=" << sharders << " seed=" << seed) {
        random_run run{shards, sharders, seed++};
        for (int i = 0; i < 3000; ++i)
          run.step();
        total.granted_requests += run.stats.granted_requests;
        total.handouts += run.stats.handouts;
        total.reidentifies += run.stats.reidentifies;
      }
    }
  BOOST_TEST_MESSAGE("granted requests " << total.granted_requests << ", hand-outs "
                     << total.handouts << ", re-identifies " << total.reidentifies);
  BOOST_TEST(total.granted_requests > 1000u);
  BOOST_TEST(total.handouts > 1000u);
  BOOST_TEST(total.reidentifies > 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
