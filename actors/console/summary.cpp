#include "actors/console/summary.hpp"

#include <caf/scheduled_actor.hpp>

namespace coord::actors {

namespace {

/// Messages waiting in `self`'s mailbox, as of CAF's last look at it: CAF moves what arrived
/// into its queue before every few messages it handles, so this is at most that far behind.
/// Not `mailbox().size()`: that moves new arrivals itself, through CAF 0.17 header code that
/// casts the queue's sentinel node to a mailbox_element when the queue is empty (undefined
/// behaviour UBSan reports in our build; inside libcaf_core the same code is not checked).
std::size_t waiting(caf::scheduled_actor* self) {
  return self->mailbox().queue().total_task_size();
}

} // namespace

actor_summary summarize(caf::scheduled_actor* self, summary_fields fields) {
  actor_summary out;
  out.name = self->name();
  out.id = self->id();
  out.mailbox = waiting(self);
  out.fields = std::move(fields);
  return out;
}

void mailbox_watermark::sample(caf::scheduled_actor* self) {
  auto depth = waiting(self);
  if (depth > peak)
    peak = depth;
}

} // namespace coord::actors
