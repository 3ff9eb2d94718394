#pragma once
// The exact text of one member of a JSON object, cut out of the frame. Boost.JSON's DOM keeps
// no source text, and serialising a value again changes the client's bytes (1.0 -> 1E0,
// 1e400 -> Infinity); an echo (voice HEARTBEAT) must return what was sent.

#include <optional>
#include <string_view>

namespace coord::proto {

/// The text of the top-level member `name` of the JSON object `object_text`, without the
/// whitespace around it; with duplicate names the last one (the one Boost.JSON keeps).
/// Call it only on text that boost::json::parse accepted as an object: it finds boundaries
/// and does not validate. nullopt when the member is absent or the text is not such an
/// object (never reads out of bounds).
std::optional<std::string_view> json_member_text(std::string_view object_text,
                                                 std::string_view name);

} // namespace coord::proto
