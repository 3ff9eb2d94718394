#pragma once
// The shard planner's test fixture (shard_planner_test.cpp, shard_planner_cluster_test.cpp):
// a planner on the deterministic coordinator and the requests a sharder's session makes.

#include "tests/actors/fixture.hpp"

#include "actors/shards/shard_planner.hpp"

#include <caf/after.hpp>
#include <caf/send.hpp>

#include <vector>

namespace coord::test {

using namespace std::chrono_literals;

using ids = std::vector<std::uint32_t>;

/// What a sharder's session actor received from the planner.
struct inbox {
  std::vector<ids> assigned;
  ids granted;
  bool empty() const { return assigned.empty() && granted.empty(); }
};

struct planner_fixture : actor_fixture {
  void start(std::uint32_t shards, std::uint32_t sharders, caf::timespan release,
             std::uint32_t max_concurrency = 1) {
    planner = track(sys.spawn(actors::shard_planner, shards, sharders, release, max_concurrency));
    sched.run();
  }

  /// IDENTIFY as `session` with `who` as its session actor; returns IDENTIFIED's shards.
  ids identify(caf::scoped_actor& who, std::uint64_t session, ids requested = {}) {
    who->send(planner, actors::shard_identify_atom::value, session,
              caf::actor_cast<actors::gateway_session_actor>(who), std::move(requested));
    sched.run();
    ids out;
    who->receive([&](ids& xs) { out = std::move(xs); });
    return out;
  }

  void end(std::uint64_t session) {
    caf::anon_send(planner, actors::shard_end_atom::value, session);
    sched.run();
  }

  void request(std::uint64_t session, std::uint32_t shard) {
    caf::anon_send(planner, actors::identify_request_atom::value, session, shard);
    sched.run();
  }

  actors::shard_plan plan() {
    self->send(planner, actors::shard_plan_atom::value);
    sched.run();
    actors::shard_plan out;
    self->receive([&](actors::shard_plan& p) { out = std::move(p); });
    return out;
  }

  /// Fires the next timer (a release or an identify tick) and delivers it.
  bool fire_timer() {
    if (!sched.trigger_timeout())
      return false;
    sched.run();
    return true;
  }

  /// Moves the test clock on, firing what falls due; returns how many timers fired.
  std::size_t advance(caf::timespan d) {
    auto n = sched.advance_time(d);
    sched.run();
    return n;
  }

  static inbox drain(caf::scoped_actor& who) {
    inbox out;
    for (bool more = true; more;)
      who->receive(
        [&](actors::shards_assigned_atom, ids& xs) { out.assigned.push_back(std::move(xs)); },
        [&](actors::identify_granted_atom, std::uint32_t shard) { out.granted.push_back(shard); },
        caf::after(0s) >> [&] { more = false; });
    return out;
  }

  actors::shard_planner_actor planner;
};

} // namespace coord::test
