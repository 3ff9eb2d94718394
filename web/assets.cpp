#include "web/assets.hpp"

namespace coord::web {

// Defined in the generated web_assets_data.cpp.
extern const asset embedded_assets[];
extern const std::size_t embedded_asset_count;

const asset* assets() noexcept { return embedded_assets; }

std::size_t asset_count() noexcept { return embedded_asset_count; }

const asset* find_asset(std::string_view path) noexcept {
  path = path.substr(0, path.find('?'));
  for (std::size_t i = 0; i < embedded_asset_count; ++i)
    if (embedded_assets[i].path == path)
      return &embedded_assets[i];
  return nullptr;
}

} // namespace coord::web
