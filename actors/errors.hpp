#pragma once
// The errors actors answer with.

#include <caf/error.hpp>

#include <cstdint>
#include <string>

namespace coord::actors {

/// Errors the actors answer with (category atom "coord").
enum class coord_errc : std::uint8_t {
  store_failed = 1, ///< the transaction did not commit; nothing changed
  not_found,
  unavailable, ///< cluster mode: etcd unreachable or this node not active; nothing changed
};

/// Wraps a coord_errc into a caf::error with the category "coord".
caf::error make_coord_error(coord_errc code, std::string what);

} // namespace coord::actors
