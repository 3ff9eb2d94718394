#pragma once
// The files of the /dashboard page (SPEC.md §10), embedded into the binary at build time
// (web/CMakeLists.txt generates their bytes), so the node serves every asset itself.

#include <cstddef>
#include <string_view>

namespace coord::web {

/// One embedded file and the path it is served on.
struct asset {
  std::string_view path;         ///< e.g. "/dashboard/app.js"
  std::string_view content_type; ///< e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

/// The asset served on `path` (query string ignored), or nullptr.
const asset* find_asset(std::string_view path) noexcept;

/// Every embedded asset, `asset_count()` of them.
const asset* assets() noexcept;
std::size_t asset_count() noexcept;

} // namespace coord::web
