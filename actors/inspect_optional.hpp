#pragma once
// CAF 0.17 inspects caf::optional, not std::optional: an `inspect` overload of a type with
// std::optional members copies each into a caf::optional, and copies it back once loaded
// (caf::meta::load_callback).

#include <caf/optional.hpp>

#include <optional>
#include <utility>

namespace coord::actors {

template <class T>
caf::optional<T> to_caf_optional(const std::optional<T>& x) {
  return x ? caf::optional<T>{*x} : caf::optional<T>{};
}

template <class T>
std::optional<T> to_std_optional(caf::optional<T>& x) {
  return x ? std::optional<T>{std::move(*x)} : std::nullopt;
}

} // namespace coord::actors
