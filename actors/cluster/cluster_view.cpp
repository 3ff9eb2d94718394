#include "actors/cluster/cluster_view.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace coord::actors {

std::string cluster_view::standby_body() const {
  boost::json::object o;
  o["status"] = "standby";
  auto url = active_url();
  if (url.empty())
    o["active"] = nullptr;
  else
    o["active"] = url;
  return boost::json::serialize(o);
}

} // namespace coord::actors
