#pragma once
// Comparison of secrets (companion key, gateway secret, passwords, admin token).

#include <string_view>

namespace coord::proto {

/// True if a and b are equal; the time taken depends on the lengths only, not the content.
bool secure_equals(std::string_view a, std::string_view b) noexcept;

} // namespace coord::proto
