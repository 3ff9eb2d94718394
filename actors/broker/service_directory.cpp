#include "actors/broker/service_directory.hpp"

#include "actors/console/summary.hpp"
#include "proto/gateway_codec.hpp"

namespace coord::actors {

namespace gw = proto::gateway;

std::vector<service_info> service_directory_state::list() const {
  std::vector<service_info> out;
  out.reserve(services.size());
  for (auto& [id, g] : services) {
    service_info s;
    s.id = id;
    s.type = static_cast<gw::service_type>(g.type);
    s.start_time_ms = g.start_time_ms;
    if (auto hb = heartbeats.find(id); hb != heartbeats.end()) {
      s.heap_used = hb->second.heap_used;
      if (hb->second.guilds >= 0)
        s.guilds = static_cast<std::uint64_t>(hb->second.guilds);
    }
    if (s.type == gw::service_type::sharder)
      s.shards = g.shards;
    out.push_back(std::move(s));
  }
  return out;
}

service_directory_actor::behavior_type
service_directory(service_directory_actor::stateful_pointer<service_directory_state> self,
                  wall_clock wall) {
  self->state.wall = std::move(wall);
  return {
    [=](inspect_atom) {
      return summarize(self, {{"services", std::to_string(self->state.services.size())}});
    },
    [=](services_atom) { return self->state.list(); },
    [=](gw_hb_atom, std::uint64_t id, std::uint64_t heap_used, std::int64_t guilds) {
      self->state.heartbeats[id] = {heap_used, guilds};
    },
    [=](service_up_atom, std::uint64_t id, std::uint8_t type,
        std::vector<std::uint32_t>& shards) {
      auto& st = self->state;
      auto& s = st.services[id];
      s.type = type;
      s.start_time_ms = unix_ms(st.wall);
      s.shards = std::move(shards);
    },
    [=](gw_shards_atom, std::uint64_t id, std::vector<std::uint32_t>& shards) {
      if (auto s = self->state.services.find(id); s != self->state.services.end())
        s->second.shards = std::move(shards);
    },
    [=](service_down_atom, std::uint64_t id) {
      self->state.services.erase(id);
      self->state.heartbeats.erase(id);
    },
  };
}

} // namespace coord::actors
