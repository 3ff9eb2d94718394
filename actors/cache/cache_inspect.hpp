#pragma once
// Inspectors of proto/'s gateway cache records (what cache_put_atom and the read API's answers
// carry): here, not in proto/ (which must not see CAF), and in their namespaces so that CAF
// finds them by ADL. compact_string and compact_array keep their bytes behind one pointer:
// they travel as a null flag and a std::string / std::vector, rebuilt when loaded.

#include "proto/compact_storage.hpp"
#include "proto/gateway_cache.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace coord::proto {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, compact_string& x) {
  bool null = x.is_null();
  std::string text{x.view()};
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x = null ? compact_string{} : compact_string{text};
    return caf::none;
  });
  return f(caf::meta::type_name("compact_string"), null, text, loaded);
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, compact_array<T>& x) {
  bool null = x.is_null();
  std::vector<T> items(x.begin(), x.end());
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x = null ? compact_array<T>::null() : compact_array<T>{items};
    return caf::none;
  });
  return f(caf::meta::type_name("compact_array"), null, items, loaded);
}

} // namespace coord::proto

namespace coord::proto::gateway {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user& x) {
  return f(caf::meta::type_name("user"), x.id, x.username, x.avatar, x.discriminator_chars,
           x.discriminator_length, x.bot);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member& x) {
  return f(caf::meta::type_name("member"), x.id, x.guild_id, x.joined_at_ms, x.nickname,
           x.roles);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, role& x) {
  return f(caf::meta::type_name("role"), x.id, x.guild_id, x.permissions, x.name, x.color,
           x.position);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, overwrite& x) {
  return f(caf::meta::type_name("overwrite"), x.id, x.allow, x.deny, x.member);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel& x) {
  return f(caf::meta::type_name("channel"), x.id, x.guild_id, x.parent_id, x.name,
           x.overwrites, x.position, x.user_limit, x.type, x.nsfw, x.has_user_limit,
           x.has_type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, voice_state& x) {
  return f(caf::meta::type_name("voice_state"), x.guild_id, x.channel_id, x.user_id, x.deaf,
           x.mute, x.self_deaf, x.self_mute);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, guild& x) {
  return f(caf::meta::type_name("guild"), x.id, x.owner_id, x.member_count, x.name, x.icon,
           x.region, x.has_member_count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_update& x) {
  return f(caf::meta::type_name("member_update"), x.record, x.member_user);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, guild_update& x) {
  return f(caf::meta::type_name("guild_update"), x.record, x.roles, x.channels, x.voice_states,
           x.members, x.users, x.has_roles, x.has_channels, x.has_voice_states,
           x.has_members);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_removal& x) {
  return f(caf::meta::type_name("cache_removal"), x.type, x.guild_id, x.id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ignored_record& x) {
  return f(caf::meta::type_name("ignored_record"), x.reason);
}

// cache_update (a std::variant, which CAF 0.17 does not know) travels as its index in one
// byte, then the alternative, as CAF's own variant does.

/// Saving: the alternative a cache_update holds.
struct cache_update_alternative {
  cache_update& x;
};

/// Loading: the alternative that `index` names, emplaced into x.
struct cache_update_loader {
  std::uint8_t& index;
  cache_update& x;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_update_alternative& x) {
  return std::visit([&f](auto& alternative) { return f(alternative); }, x.x);
}

template <std::size_t I = 0, class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_update_loader& x) {
  if constexpr (I < std::variant_size_v<cache_update>) {
    if (x.index != I)
      return inspect<I + 1>(f, x);
    return f(x.x.template emplace<I>());
  } else {
    return caf::make_error(caf::sec::invalid_argument, "cache_update: unknown index");
  }
}

template <class Inspector>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, cache_update& x) {
  auto index = static_cast<std::uint8_t>(x.index());
  cache_update_alternative alternative{x};
  return f(caf::meta::type_name("cache_update"), index, alternative);
}

template <class Inspector>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, cache_update& x) {
  std::uint8_t index = 0;
  cache_update_loader loader{index, x};
  return f(caf::meta::type_name("cache_update"), index, loader);
}

} // namespace coord::proto::gateway
