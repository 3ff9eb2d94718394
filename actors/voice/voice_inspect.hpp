#pragma once
// Inspectors of proto/'s voice types: here, not in proto/ (which must not see CAF), and in
// their namespace so that CAF finds them by ADL. Apart from voice/messages.hpp because the
// cluster's voice_record holds voice clients too.

#include "proto/voice_client.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>

namespace coord::proto::voice {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, voice_client& x) {
  // CAF 0.17 has no std::optional: the channel goes as a flag and a value.
  bool in_channel = x.channel_id.has_value();
  std::uint64_t channel = x.channel_id.value_or(0);
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x.channel_id = in_channel ? std::optional<std::uint64_t>{channel} : std::nullopt;
    return caf::none;
  });
  return f(caf::meta::type_name("voice_client"), x.guild_id, x.id, in_channel, channel,
           x.endpoint, loaded);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_info& x) {
  return f(caf::meta::type_name("status_info"), x.sessions, x.retained_sessions,
           x.voice_clients, x.uptime_s);
}

} // namespace coord::proto::voice
