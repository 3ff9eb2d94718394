#include "actors/errors.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>

namespace coord::actors {

caf::error make_coord_error(coord_errc code, std::string what) {
  return caf::error{static_cast<std::uint8_t>(code), caf::atom("coord"),
                    caf::make_message(std::move(what))};
}

} // namespace coord::actors
