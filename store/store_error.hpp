#pragma once
// The one exception type of the store layer.

#include <stdexcept>

namespace coord::store {

/// A failed store operation; what() is one line naming the operation, the path and SQLite's
/// message, e.g. `cannot open store "data/x.db": unable to open database file`.
class store_error : public std::runtime_error {
public:
  using runtime_error::runtime_error;
};

} // namespace coord::store
