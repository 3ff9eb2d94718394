#include "actors/http/http_reply.hpp"

namespace coord::actors {

std::vector<std::string_view> split_path(std::string_view target) {
  if (auto q = target.find('?'); q != std::string_view::npos)
    target = target.substr(0, q);
  std::vector<std::string_view> out;
  while (!target.empty()) {
    auto start = target.find_first_not_of('/');
    if (start == std::string_view::npos)
      break;
    target.remove_prefix(start);
    auto end = target.find('/');
    out.push_back(target.substr(0, end));
    target.remove_prefix(end == std::string_view::npos ? target.size() : end);
  }
  return out;
}

} // namespace coord::actors
