#pragma once
// The debug console (SPEC.md §8): net/ hands lines to the inspector, which asks the other
// actors what they hold.

#include "actors/ports.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace coord::actors {

using console_atom = caf::atom_constant<caf::atom("cd_console")>;
/// console -> any long-lived or session actor: describe yourself (-> actor_summary).
using inspect_atom = caf::atom_constant<caf::atom("cd_inspect")>;

using console_reply_ptr = std::shared_ptr<ports::console_reply>;

/// What an actor says about itself, as ordered key/value pairs ("state" -> "identified").
using summary_fields = std::vector<std::pair<std::string, std::string>>;

/// An actor's answer to inspect_atom.
struct actor_summary {
  std::string name;        ///< the state's `name`
  std::uint64_t id = 0;    ///< the actor id
  std::size_t mailbox = 0; ///< messages waiting in its mailbox
  summary_fields fields;
  bool answered = true; ///< false: made up by the asker, name and id only (no mailbox)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_summary& x) {
  return f(caf::meta::type_name("actor_summary"), x.name, x.id, x.mailbox, x.fields,
           x.answered);
}

/// What every long-lived actor answers: the console's `inspect_atom`. Every typed handle
/// converts to this one, so the inspector can hold them all in one list.
using inspectable_actor =
  caf::typed_actor<caf::replies_to<inspect_atom>::with<actor_summary>>;

/// The inspector: the debug console's commands.
using inspector_actor = caf::typed_actor<
  /// console -> inspector: describe yourself (the inspector lists itself first).
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// net -> inspector: one console line and where its answer goes.
  caf::reacts_to<console_atom, std::string, console_reply_ptr>>;

} // namespace coord::actors

// A pointer to net/'s console connection: meaningful in this process only, never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::console_reply_ptr)
