#pragma once
// What an actor says of itself to the console, and the mailbox high-water mark of hot actors.

#include "actors/console/messages.hpp"

#include <caf/fwd.hpp>

#include <cstddef>

namespace coord::actors {

/// The summary of `self`; call it only inside one of `self`'s handlers (an actor may read
/// only its own mailbox).
actor_summary summarize(caf::scheduled_actor* self, summary_fields fields);

/// The deepest mailbox an actor has seen in its hot handlers (broadcast, routing, op 2), shown
/// by `actors` as `mailbox_peak`: whether a burst queues up behind one actor (bench/ S3, S4).
struct mailbox_watermark {
  std::size_t peak = 0;
  /// Call inside one of `self`'s handlers; O(1). Counts what CAF has taken into the actor's
  /// queue (it looks again every few messages), so it trails the newest arrivals slightly.
  void sample(caf::scheduled_actor* self);
};

} // namespace coord::actors
