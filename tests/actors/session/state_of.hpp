#pragma once
// What the console shows as a session actor's "state", asked on the deterministic coordinator.

#include "tests/actors/fixture.hpp"

#include <caf/after.hpp>

#include <chrono>
#include <string>

namespace coord::test {

/// The "state" field of `session`'s answer to inspect_atom ("" without one).
template <class Handle>
std::string state_of(actor_fixture& fx, const Handle& session) {
  fx.self->send(session, actors::inspect_atom::value);
  fx.sched.run();
  std::string state;
  fx.self->receive(
    [&](actors::actor_summary& s) {
      for (auto& [k, v] : s.fields)
        if (k == "state")
          state = v;
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  return state;
}

} // namespace coord::test
