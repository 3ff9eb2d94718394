#pragma once
// A typed actor's message to a dynamically typed one (a session actor, a test's scoped actor).

#include <caf/actor.hpp>
#include <caf/send.hpp>

#include <utility>

namespace coord::actors {

/// `self->send(dest, xs...)` for a typed `self` and a dynamic `dest`: CAF 0.17's send() refuses
/// that pairing at compile time (it cannot check the answer's type); this keeps `self` as the
/// sender, as send() would, so the receiver sees no difference.
template <class Self, class... Ts>
void dynamic_send(Self* self, const caf::actor& dest, Ts&&... xs) {
  caf::unsafe_send_as(self, dest, std::forward<Ts>(xs)...);
}

} // namespace coord::actors
