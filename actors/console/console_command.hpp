#pragma once
// The console's command line (SPEC.md §8), parsed without touching any actor or socket.

#include "actors/ports.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coord::actors {

/// One parsed console line.
struct console_command {
  enum class verb {
    help,
    info,       ///< arg: section, empty for all
    actors,
    sessions,   ///< dialect: filter, nullopt for all
    session,    ///< id
    shards,
    guild,      ///< id
    supporters,
    stats,
    kick,       ///< id, code
    cluster,    ///< cluster mode: this node, its role, the active node, every node
    quit,
    auth,       ///< arg: password
    invalid,    ///< error: the one-line "ERR ..." answer
  };
  verb what = verb::invalid;
  std::string arg;
  std::uint64_t id = 0;
  std::uint16_t code = 1000;
  std::optional<ports::dialect> dialect;
  std::string error;
};

/// Parses one line: the command name is case-insensitive, words are separated by spaces or
/// tabs. Anything unknown or malformed gives verb::invalid with an "ERR ..." line in `error`.
console_command parse_console_command(std::string_view line);

/// True for the close codes an operator may use with `kick`: 1000 and 3000-4999.
constexpr bool is_kick_code(std::uint64_t code) noexcept {
  return code == 1000 || (code >= 3000 && code <= 4999);
}

} // namespace coord::actors
