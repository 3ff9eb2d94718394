#include "actors/messages.hpp"

#include <caf/scheduled_actor.hpp>

namespace coord::actors {

caf::error make_coord_error(coord_errc code, std::string what) {
  return caf::error{static_cast<std::uint8_t>(code), caf::atom("coord"),
                    caf::make_message(std::move(what))};
}

actor_summary summarize(caf::scheduled_actor* self, summary_fields fields) {
  actor_summary out;
  out.name = self->name();
  out.id = self->id();
  out.mailbox = self->mailbox().size();
  out.fields = std::move(fields);
  return out;
}

void mailbox_watermark::sample(caf::scheduled_actor* self) {
  auto depth = self->mailbox().size();
  if (depth > peak)
    peak = depth;
}

} // namespace coord::actors
