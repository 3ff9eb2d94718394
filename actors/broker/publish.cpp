#include "actors/broker/publish.hpp"

#include "proto/companion_codec.hpp"
#include "proto/gateway_codec.hpp"

namespace coord::actors {

std::vector<broadcast_msg> encode_change(const settings_changed& c) {
  const auto& s = c.settings;
  std::vector<broadcast_msg> out;
  if (c.requested) {
    broadcast_msg msg;
    msg.companion = ports::make_buffer(proto::companion::encode_guild_settings(s));
    msg.started = c.started;
    out.push_back(std::move(msg));
    return out;
  }
  if (c.fields) {
    broadcast_msg msg;
    msg.companion = ports::make_buffer(proto::companion::encode_guild_settings(s));
    msg.gateway = ports::make_buffer(proto::gateway::encode_guild_settings_update(s));
    msg.started = c.started;
    out.push_back(std::move(msg));
  }
  if (c.music) {
    broadcast_msg msg;
    msg.companion =
      ports::make_buffer(proto::companion::encode_music_toggle(s.guild_id, s.music_enabled));
    msg.gateway =
      ports::make_buffer(proto::gateway::encode_music_command_update(s.guild_id, s.music_enabled));
    msg.started = c.started;
    out.push_back(std::move(msg));
  }
  return out;
}

broadcast_msg encode_change(const supporter_changed& c) {
  broadcast_msg msg;
  msg.companion = ports::make_buffer(c.added ? proto::companion::encode_supporter_added(c.id)
                                             : proto::companion::encode_supporter_removed(c.id));
  msg.started = c.started;
  return msg;
}

ports::buffer encode_handshake(const handshake_snapshot& h) {
  return ports::make_buffer(proto::companion::encode_handshake_reply(h.supporters, h.guilds));
}

} // namespace coord::actors
