#include "actors/cache/cache_index.hpp"

#include <algorithm>
#include <utility>

namespace coord::actors {

namespace gw = proto::gateway;
using gw::cache_type;

namespace {

template <class Map>
auto values_of(const Map& m) {
  std::vector<typename Map::mapped_type> out;
  out.reserve(m.size());
  for (const auto& kv : m)
    out.push_back(kv.second);
  return out;
}

/// Display order of roles and channels: position, then id (Discord's tie-break).
template <class Record>
void sort_by_position(std::vector<Record>& xs) {
  std::sort(xs.begin(), xs.end(), [](const Record& a, const Record& b) {
    return a.position != b.position ? a.position < b.position : a.id < b.id;
  });
}

// SPEC §4.7: a field sent null or absent is unknown; on a known record the cached value is
// kept. These fill an incoming record's unknowns from the cached one.

void keep_known(gw::guild& in, const gw::guild& old) {
  if (in.icon.is_null())
    in.icon = old.icon;
  if (in.region.is_null())
    in.region = old.region;
  if (!in.has_member_count) {
    in.member_count = old.member_count;
    in.has_member_count = old.has_member_count;
  }
}

void keep_known(gw::channel& in, const gw::channel& old) {
  if (!in.has_type) {
    in.type = old.type;
    in.has_type = old.has_type;
  }
  if (in.overwrites.is_null())
    in.overwrites = old.overwrites;
  if (!in.has_user_limit) {
    in.user_limit = old.user_limit;
    in.has_user_limit = old.has_user_limit;
  }
  if (in.parent_id == 0)
    in.parent_id = old.parent_id;
}

void keep_known(gw::member& in, const gw::member& old) {
  if (in.joined_at_ms == gw::unknown_time)
    in.joined_at_ms = old.joined_at_ms;
  if (in.nickname.is_null())
    in.nickname = old.nickname;
  if (in.roles.is_null())
    in.roles = old.roles;
}

void keep_known(gw::user& in, const gw::user& old) {
  if (in.avatar.is_null())
    in.avatar = old.avatar;
}

} // namespace

// -- upserts ------------------------------------------------------------------

void cache_index::upsert(gw::guild g) {
  auto& e = guilds_[g.id];
  if (!e.record)
    count(cache_type::guild, 1);
  else
    keep_known(g, *e.record);
  e.record = std::move(g);
}

void cache_index::upsert(gw::role r) {
  auto& roles = guilds_[r.guild_id].roles;
  auto [i, added] = roles.try_emplace(r.id);
  if (added)
    count(cache_type::role, 1);
  i->second = std::move(r);
}

void cache_index::upsert(gw::channel c) {
  auto& channels = guilds_[c.guild_id].channels;
  auto [i, added] = channels.try_emplace(c.id);
  if (added)
    count(cache_type::channel, 1);
  else
    keep_known(c, i->second);
  i->second = std::move(c);
}

void cache_index::upsert(gw::voice_state v) {
  if (v.channel_id == 0) {
    remove(gw::cache_removal{cache_type::voice_state, v.guild_id, v.user_id});
    return;
  }
  auto& states = guilds_[v.guild_id].voice_states;
  auto [i, added] = states.try_emplace(v.user_id);
  if (added)
    count(cache_type::voice_state, 1);
  i->second = v;
}

bool cache_index::upsert(gw::member m) {
  auto& members = guilds_[m.guild_id].members;
  auto [i, added] = members.try_emplace(m.id);
  if (added)
    count(cache_type::member, 1);
  else
    keep_known(m, i->second);
  i->second = std::move(m);
  return added;
}

std::vector<bool> cache_index::upsert(gw::guild_update& g) {
  const auto id = g.record.id;
  upsert(std::move(g.record));
  for (auto& r : g.roles)
    upsert(std::move(r));
  for (auto& c : g.channels)
    upsert(std::move(c));
  for (auto& v : g.voice_states)
    upsert(v);
  std::vector<bool> added;
  added.reserve(g.members.size());
  auto& members = guilds_[id].members;
  members.reserve(members.size() + g.members.size());
  for (auto& m : g.members)
    added.push_back(upsert(std::move(m)));
  return added;
}

void cache_index::upsert_user(gw::user u, std::int32_t refs) {
  auto [i, added] = users_.try_emplace(u.id);
  auto& e = i->second;
  if (!e.present)
    count(cache_type::user, 1);
  else
    keep_known(u, e.record);
  e.record = std::move(u);
  e.present = true;
  if (refs != 0)
    e.refs = static_cast<std::uint32_t>(std::max<std::int64_t>(0, std::int64_t{e.refs} + refs));
}

void cache_index::ref_user(std::uint64_t id, std::int32_t refs) {
  auto i = users_.find(id);
  if (i == users_.end()) {
    if (refs <= 0)
      return;
    i = users_.try_emplace(id).first;
  }
  auto& e = i->second;
  auto before = e.refs;
  e.refs = static_cast<std::uint32_t>(std::max<std::int64_t>(0, std::int64_t{e.refs} + refs));
  // A standalone user (never referenced) is not dropped by an unbalanced unref.
  if (e.refs == 0 && (before > 0 || !e.present)) {
    if (e.present)
      count(cache_type::user, -1);
    users_.erase(i);
  }
}

// -- removals -----------------------------------------------------------------

std::vector<std::uint64_t> cache_index::remove(const gw::cache_removal& r) {
  std::vector<std::uint64_t> unreferenced;
  switch (r.type) {
    case cache_type::user:
      remove_user(r.id);
      break;
    case cache_type::guild: {
      auto i = guilds_.find(r.id);
      if (i == guilds_.end())
        break;
      auto& e = i->second;
      unreferenced.reserve(e.members.size());
      for (const auto& kv : e.members)
        unreferenced.push_back(kv.first);
      if (e.record)
        count(cache_type::guild, -1);
      count(cache_type::role, -static_cast<std::int64_t>(e.roles.size()));
      count(cache_type::channel, -static_cast<std::int64_t>(e.channels.size()));
      count(cache_type::member, -static_cast<std::int64_t>(e.members.size()));
      count(cache_type::voice_state, -static_cast<std::int64_t>(e.voice_states.size()));
      guilds_.erase(i);
      break;
    }
    case cache_type::member: {
      auto i = guilds_.find(r.guild_id);
      if (i != guilds_.end() && i->second.members.erase(r.id) == 1) {
        count(cache_type::member, -1);
        unreferenced.push_back(r.id);
        drop_if_empty(i);
      }
      break;
    }
    case cache_type::voice_state: {
      auto i = guilds_.find(r.guild_id);
      if (i != guilds_.end() && i->second.voice_states.erase(r.id) == 1) {
        count(cache_type::voice_state, -1);
        drop_if_empty(i);
      }
      break;
    }
    case cache_type::role:
    case cache_type::channel: {
      const bool role = r.type == cache_type::role;
      auto remove_in = [&](guild_map::iterator i) {
        return role ? remove_role(i, r.id) : remove_channel(i, r.id);
      };
      if (r.guild_id != 0) {
        if (auto i = guilds_.find(r.guild_id); i != guilds_.end())
          remove_in(i);
        break;
      }
      // No guildID: ids are unique across guilds, so the first guild holding it is the one.
      for (auto i = guilds_.begin(); i != guilds_.end(); ++i)
        if (remove_in(i))
          break;
      break;
    }
  }
  return unreferenced;
}

bool cache_index::remove_role(guild_map::iterator i, std::uint64_t id) {
  if (i->second.roles.erase(id) == 0)
    return false;
  count(cache_type::role, -1);
  drop_if_empty(i);
  return true;
}

bool cache_index::remove_channel(guild_map::iterator i, std::uint64_t id) {
  auto& e = i->second;
  if (e.channels.erase(id) == 0)
    return false;
  count(cache_type::channel, -1);
  // Nobody stays in a deleted channel.
  for (auto v = e.voice_states.begin(); v != e.voice_states.end();) {
    if (v->second.channel_id == id) {
      v = e.voice_states.erase(v);
      count(cache_type::voice_state, -1);
    } else {
      ++v;
    }
  }
  drop_if_empty(i);
  return true;
}

void cache_index::remove_user(std::uint64_t id) {
  auto i = users_.find(id);
  if (i == users_.end())
    return;
  if (i->second.present)
    count(cache_type::user, -1);
  // Members still point at it: keep the count so their removal balances, without the data.
  if (i->second.refs > 0) {
    i->second.present = false;
    i->second.record = gw::user{};
  } else {
    users_.erase(i);
  }
}

void cache_index::drop_if_empty(guild_map::iterator i) {
  if (i->second.empty())
    guilds_.erase(i);
}

// -- lookups ------------------------------------------------------------------

const cache_index::guild_entry* cache_index::entry(std::uint64_t guild) const noexcept {
  auto i = guilds_.find(guild);
  return i == guilds_.end() ? nullptr : &i->second;
}

bool cache_index::has_guild(std::uint64_t guild) const noexcept {
  return entry(guild) != nullptr;
}

const gw::guild* cache_index::find_guild(std::uint64_t guild) const noexcept {
  const auto* e = entry(guild);
  return e && e->record ? &*e->record : nullptr;
}

namespace {

template <class Map>
const typename Map::mapped_type* find_in(const Map& m, std::uint64_t id) noexcept {
  auto i = m.find(id);
  return i == m.end() ? nullptr : &i->second;
}

} // namespace

const gw::role* cache_index::find_role(std::uint64_t guild, std::uint64_t id) const noexcept {
  const auto* e = entry(guild);
  return e ? find_in(e->roles, id) : nullptr;
}

const gw::channel* cache_index::find_channel(std::uint64_t guild,
                                             std::uint64_t id) const noexcept {
  const auto* e = entry(guild);
  return e ? find_in(e->channels, id) : nullptr;
}

const gw::member* cache_index::find_member(std::uint64_t guild,
                                           std::uint64_t id) const noexcept {
  const auto* e = entry(guild);
  return e ? find_in(e->members, id) : nullptr;
}

const gw::voice_state* cache_index::find_voice_state(std::uint64_t guild,
                                                     std::uint64_t user) const noexcept {
  const auto* e = entry(guild);
  return e ? find_in(e->voice_states, user) : nullptr;
}

const gw::user* cache_index::find_user(std::uint64_t id) const noexcept {
  auto i = users_.find(id);
  return i != users_.end() && i->second.present ? &i->second.record : nullptr;
}

std::uint32_t cache_index::user_refs(std::uint64_t id) const noexcept {
  auto i = users_.find(id);
  return i == users_.end() ? 0 : i->second.refs;
}

std::vector<gw::role> cache_index::roles(std::uint64_t guild) const {
  const auto* e = entry(guild);
  if (!e)
    return {};
  auto out = values_of(e->roles);
  sort_by_position(out);
  return out;
}

std::vector<gw::channel> cache_index::channels(std::uint64_t guild) const {
  const auto* e = entry(guild);
  if (!e)
    return {};
  auto out = values_of(e->channels);
  sort_by_position(out);
  return out;
}

std::vector<gw::voice_state> cache_index::voice_states_in(std::uint64_t guild,
                                                          std::uint64_t channel) const {
  std::vector<gw::voice_state> out;
  const auto* e = entry(guild);
  if (!e)
    return out;
  for (const auto& kv : e->voice_states)
    if (kv.second.channel_id == channel)
      out.push_back(kv.second);
  std::sort(out.begin(), out.end(), [](const gw::voice_state& a, const gw::voice_state& b) {
    return a.user_id < b.user_id;
  });
  return out;
}

} // namespace coord::actors
