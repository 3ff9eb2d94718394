// One entity-cache partition's records without actors: upserts, removals and their cascades,
// lookups, counts, and what a cached member costs in memory.
// Past 400 lines on purpose: one suite per record type would repeat the partition fixture;
// the cases stay beside it.

#include "actors/cache/cache_index.hpp"

#include <boost/test/unit_test.hpp>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

using namespace coord;
using actors::cache_index;
using actors::cache_slot;
namespace gw = proto::gateway;
using gw::cache_type;

namespace {

constexpr std::uint64_t g1 = 81384788765712384; // a real-looking guild id
constexpr std::uint64_t g2 = 41771983423143936;

gw::guild make_guild(std::uint64_t id, std::string_view name = "guild") {
  gw::guild g;
  g.id = id;
  g.name = proto::compact_string{name};
  g.region = proto::compact_string{"eu"};
  g.owner_id = 1;
  g.member_count = 10;
  return g;
}

gw::role make_role(std::uint64_t guild, std::uint64_t id, std::int32_t position = 0) {
  gw::role r;
  r.id = id;
  r.guild_id = guild;
  r.name = proto::compact_string{"role" + std::to_string(id)};
  r.position = position;
  return r;
}

gw::channel make_channel(std::uint64_t guild, std::uint64_t id, std::uint8_t type = 0,
                         std::int32_t position = 0) {
  gw::channel c;
  c.id = id;
  c.guild_id = guild;
  c.name = proto::compact_string{"chan" + std::to_string(id)};
  c.type = type;
  c.position = position;
  return c;
}

gw::member make_member(std::uint64_t guild, std::uint64_t id) {
  gw::member m;
  m.id = id;
  m.guild_id = guild;
  m.joined_at_ms = 1500000000000;
  return m;
}

gw::user make_user(std::uint64_t id, std::string_view name = "someone") {
  gw::user u;
  u.id = id;
  u.username = proto::compact_string{name};
  u.discriminator_chars = {'0', '0', '0', '1'};
  u.discriminator_length = 4;
  return u;
}

gw::voice_state make_voice(std::uint64_t guild, std::uint64_t user, std::uint64_t channel) {
  gw::voice_state v;
  v.guild_id = guild;
  v.user_id = user;
  v.channel_id = channel;
  return v;
}

std::uint64_t count_of(const cache_index& c, cache_type t) {
  return c.counts()[cache_slot(t)];
}

gw::cache_removal removal(cache_type t, std::uint64_t guild, std::uint64_t id) {
  return gw::cache_removal{t, guild, id};
}

} // namespace

BOOST_AUTO_TEST_SUITE(cache_index_suite)

BOOST_AUTO_TEST_CASE(upsert_replaces_by_key_and_counts_once) {
  cache_index c;
  c.upsert(make_guild(g1, "old"));
  c.upsert(make_guild(g1, "new"));
  c.upsert(make_role(g1, 5));
  auto r = make_role(g1, 5);
  r.color = 0xff0000;
  c.upsert(std::move(r));
  c.upsert(make_channel(g1, 7));
  c.upsert(make_channel(g1, 7, 2));
  BOOST_TEST(c.upsert(make_member(g1, 9)));
  auto m = make_member(g1, 9);
  m.nickname = proto::compact_string{"nick"};
  BOOST_TEST(!c.upsert(std::move(m)));
  c.upsert(make_voice(g1, 9, 7));
  c.upsert(make_voice(g1, 9, 8));
  c.upsert_user(make_user(9, "a"));
  c.upsert_user(make_user(9, "b"));

  BOOST_TEST(c.find_guild(g1)->name.view() == "new");
  BOOST_TEST(c.find_role(g1, 5)->color == 0xff0000u);
  BOOST_TEST(c.find_channel(g1, 7)->type == 2);
  BOOST_TEST(c.find_member(g1, 9)->nickname.view() == "nick");
  BOOST_TEST(c.find_voice_state(g1, 9)->channel_id == 8u);
  BOOST_TEST(c.find_user(9)->username.view() == "b");
  for (auto t : {cache_type::guild, cache_type::role, cache_type::channel, cache_type::member,
                 cache_type::voice_state, cache_type::user})
    BOOST_TEST(count_of(c, t) == 1u);
}

BOOST_AUTO_TEST_CASE(a_channel_without_type_keeps_the_cached_type) {
  cache_index c;
  c.upsert(make_channel(g1, 7, 2));
  auto update = make_channel(g1, 7, 0);
  update.has_type = false;
  update.name = proto::compact_string{"renamed"};
  c.upsert(std::move(update));
  BOOST_TEST(c.find_channel(g1, 7)->type == 2);
  BOOST_TEST(c.find_channel(g1, 7)->name.view() == "renamed");
  // A new channel without a type: unknown, never invented (null in the read API).
  auto fresh = make_channel(g1, 8, 4);
  fresh.has_type = false;
  c.upsert(std::move(fresh));
  BOOST_TEST(!c.find_channel(g1, 8)->has_type);
  // A later record with the type makes it known.
  c.upsert(make_channel(g1, 8, 2));
  BOOST_TEST(c.find_channel(g1, 8)->has_type);
  BOOST_TEST(c.find_channel(g1, 8)->type == 2);
}

BOOST_AUTO_TEST_CASE(unknown_fields_of_an_update_keep_the_cached_values) {
  cache_index c;
  auto m = make_member(g1, 2);
  m.joined_at_ms = 1500000000000;
  m.nickname = proto::compact_string{"nick"};
  m.roles = proto::compact_array<std::uint64_t>{std::vector<std::uint64_t>{5, 6}};
  c.upsert(std::move(m));
  // A member update as the original sharder sends it: no joinedAt, nickname and roles null.
  auto update = make_member(g1, 2);
  update.joined_at_ms = gw::unknown_time;
  update.nickname = proto::compact_string{};
  update.roles = proto::compact_array<std::uint64_t>::null();
  c.upsert(std::move(update));
  const auto* got = c.find_member(g1, 2);
  BOOST_TEST(got->joined_at_ms == 1500000000000);
  BOOST_TEST(got->nickname.view() == "nick");
  BOOST_REQUIRE_EQUAL(got->roles.size(), 2u);
  // Known values replace: an empty role list is known.
  auto cleared = make_member(g1, 2);
  cleared.joined_at_ms = gw::unknown_time;
  cleared.roles = proto::compact_array<std::uint64_t>{};
  c.upsert(std::move(cleared));
  BOOST_TEST(c.find_member(g1, 2)->roles.empty());
  BOOST_TEST(!c.find_member(g1, 2)->roles.is_null());
  // A new member's unknowns stay unknown.
  auto fresh = make_member(g1, 3);
  fresh.joined_at_ms = gw::unknown_time;
  fresh.roles = proto::compact_array<std::uint64_t>::null();
  c.upsert(std::move(fresh));
  BOOST_TEST(c.find_member(g1, 3)->joined_at_ms == gw::unknown_time);
  BOOST_TEST(c.find_member(g1, 3)->roles.is_null());

  auto g = make_guild(g1);
  g.member_count = 40;
  g.icon = proto::compact_string{"i"};
  g.region = proto::compact_string{"eu"};
  c.upsert(std::move(g));
  auto gu = make_guild(g1);
  gu.has_member_count = false;
  gu.icon = proto::compact_string{};
  gu.region = proto::compact_string{};
  c.upsert(std::move(gu));
  BOOST_TEST(c.find_guild(g1)->member_count == 40u);
  BOOST_TEST(c.find_guild(g1)->has_member_count);
  BOOST_TEST(c.find_guild(g1)->icon.view() == "i");
  BOOST_TEST(c.find_guild(g1)->region.view() == "eu");

  auto ch = make_channel(g1, 7, 2);
  ch.parent_id = 99;
  ch.has_user_limit = true;
  ch.user_limit = 5;
  ch.overwrites = proto::compact_array<gw::overwrite>{std::vector<gw::overwrite>{{1, 2, 3, false}}};
  c.upsert(std::move(ch));
  auto cu = make_channel(g1, 7, 0);
  cu.has_type = false;
  cu.overwrites = proto::compact_array<gw::overwrite>::null();
  c.upsert(std::move(cu));
  const auto* kept = c.find_channel(g1, 7);
  BOOST_TEST(kept->type == 2);
  BOOST_TEST(kept->parent_id == 99u);
  BOOST_TEST(kept->user_limit == 5u);
  BOOST_TEST(kept->overwrites.size() == 1u);

  auto u = make_user(9, "a");
  u.avatar = proto::compact_string{"av"};
  c.upsert_user(std::move(u));
  c.upsert_user(make_user(9, "b"));
  BOOST_TEST(c.find_user(9)->avatar.view() == "av");
  BOOST_TEST(c.find_user(9)->username.view() == "b");
}

BOOST_AUTO_TEST_CASE(a_guild_update_upserts_everything_it_carries_but_users) {
  cache_index c;
  c.upsert(make_member(g1, 2)); // already cached: not new
  gw::guild_update g;
  g.record = make_guild(g1);
  g.roles = {make_role(g1, 10), make_role(g1, 11)};
  g.channels = {make_channel(g1, 20), make_channel(g1, 21, 2)};
  g.voice_states = {make_voice(g1, 1, 21)};
  g.members = {make_member(g1, 1), make_member(g1, 2)};
  g.users = {make_user(1), make_user(2)};
  auto added = c.upsert(g);
  BOOST_REQUIRE_EQUAL(added.size(), 2u);
  BOOST_TEST(added[0]);
  BOOST_TEST(!added[1]);
  BOOST_TEST(count_of(c, cache_type::guild) == 1u);
  BOOST_TEST(count_of(c, cache_type::role) == 2u);
  BOOST_TEST(count_of(c, cache_type::channel) == 2u);
  BOOST_TEST(count_of(c, cache_type::voice_state) == 1u);
  BOOST_TEST(count_of(c, cache_type::member) == 2u);
  BOOST_TEST(count_of(c, cache_type::user) == 0u); // the caller routes g.users
  BOOST_TEST(g.users.size() == 2u);
  BOOST_TEST(c.find_user(1) == nullptr);
}

BOOST_AUTO_TEST_CASE(removing_a_guild_removes_everything_under_it) {
  cache_index c;
  c.upsert(make_guild(g1));
  c.upsert(make_role(g1, 10));
  c.upsert(make_channel(g1, 20, 2));
  c.upsert(make_member(g1, 1));
  c.upsert(make_member(g1, 2));
  c.upsert(make_voice(g1, 1, 20));
  c.upsert(make_guild(g2));
  c.upsert(make_member(g2, 1));
  auto unreferenced = c.remove(removal(cache_type::guild, 0, g1));
  std::sort(unreferenced.begin(), unreferenced.end());
  BOOST_TEST(unreferenced == (std::vector<std::uint64_t>{1, 2}));
  BOOST_TEST(!c.has_guild(g1));
  BOOST_TEST(c.find_guild(g1) == nullptr);
  BOOST_TEST(c.find_role(g1, 10) == nullptr);
  BOOST_TEST(c.find_member(g1, 1) == nullptr);
  BOOST_TEST(c.find_voice_state(g1, 1) == nullptr);
  BOOST_TEST(c.channels(g1).empty());
  BOOST_TEST(count_of(c, cache_type::guild) == 1u);
  BOOST_TEST(count_of(c, cache_type::member) == 1u);
  for (auto t : {cache_type::role, cache_type::channel, cache_type::voice_state})
    BOOST_TEST(count_of(c, t) == 0u);
  BOOST_TEST(c.find_member(g2, 1) != nullptr);
}

BOOST_AUTO_TEST_CASE(every_single_record_removal) {
  cache_index c;
  c.upsert(make_guild(g1));
  c.upsert(make_role(g1, 10));
  c.upsert(make_channel(g1, 20, 2));
  c.upsert(make_channel(g1, 21, 2));
  c.upsert(make_member(g1, 1));
  c.upsert(make_voice(g1, 1, 20));
  c.upsert(make_voice(g1, 2, 21));
  c.upsert(make_voice(g1, 3, 21));
  c.upsert_user(make_user(5));

  BOOST_TEST(c.remove(removal(cache_type::member, g1, 1)) == (std::vector<std::uint64_t>{1}));
  BOOST_TEST(c.find_member(g1, 1) == nullptr);
  BOOST_TEST(c.remove(removal(cache_type::member, g1, 1)).empty()); // twice: nothing
  c.remove(removal(cache_type::role, g1, 10));
  BOOST_TEST(c.find_role(g1, 10) == nullptr);
  c.remove(removal(cache_type::voice_state, g1, 1));
  BOOST_TEST(c.find_voice_state(g1, 1) == nullptr);
  // A voice state with channelID null is a removal too.
  c.upsert(make_voice(g1, 2, 0));
  BOOST_TEST(c.find_voice_state(g1, 2) == nullptr);
  // A channel goes with the voice states in it.
  c.remove(removal(cache_type::channel, g1, 21));
  BOOST_TEST(c.find_channel(g1, 21) == nullptr);
  BOOST_TEST(c.find_voice_state(g1, 3) == nullptr);
  c.remove(removal(cache_type::user, 0, 5));
  BOOST_TEST(c.find_user(5) == nullptr);
  BOOST_TEST(count_of(c, cache_type::guild) == 1u);
  BOOST_TEST(count_of(c, cache_type::channel) == 1u);
  for (auto t : {cache_type::role, cache_type::member, cache_type::voice_state, cache_type::user})
    BOOST_TEST(count_of(c, t) == 0u);
}

BOOST_AUTO_TEST_CASE(a_role_or_channel_removal_without_guild_finds_it) {
  cache_index c;
  c.upsert(make_role(g1, 10));
  c.upsert(make_role(g2, 11));
  c.upsert(make_channel(g2, 20));
  c.remove(removal(cache_type::role, 0, 11));
  c.remove(removal(cache_type::channel, 0, 20));
  BOOST_TEST(c.find_role(g2, 11) == nullptr);
  BOOST_TEST(c.find_channel(g2, 20) == nullptr);
  BOOST_TEST(c.find_role(g1, 10) != nullptr);
  BOOST_TEST(!c.has_guild(g2)); // nothing left under it
  BOOST_TEST(count_of(c, cache_type::role) == 1u);
}

BOOST_AUTO_TEST_CASE(users_live_while_members_refer_to_them) {
  cache_index c;
  c.upsert_user(make_user(1), 1);
  c.upsert_user(make_user(1), 1); // a member in a second guild
  BOOST_TEST(c.user_refs(1) == 2u);
  c.ref_user(1, -1);
  BOOST_TEST(c.find_user(1) != nullptr);
  c.ref_user(1, -1);
  BOOST_TEST(c.find_user(1) == nullptr);
  BOOST_TEST(count_of(c, cache_type::user) == 0u);

  // A user sent on its own stays until removed.
  c.upsert_user(make_user(2));
  c.ref_user(2, -1);
  BOOST_TEST(c.find_user(2) != nullptr);

  // Removed while referenced: gone from reads, the count survives for the members.
  c.upsert_user(make_user(3), 1);
  c.remove(removal(cache_type::user, 0, 3));
  BOOST_TEST(c.find_user(3) == nullptr);
  BOOST_TEST(c.user_refs(3) == 1u);
  c.upsert_user(make_user(3)); // the member brings it back
  BOOST_TEST(c.find_user(3) != nullptr);
  c.ref_user(3, -1);
  BOOST_TEST(c.find_user(3) == nullptr);

  // A reference before any data is a bare count.
  c.ref_user(4, 1);
  BOOST_TEST(c.find_user(4) == nullptr);
  BOOST_TEST(count_of(c, cache_type::user) == 1u); // user 2 only
  c.ref_user(4, -1);
  BOOST_TEST(c.user_refs(4) == 0u);
}

BOOST_AUTO_TEST_CASE(lists_come_in_display_order) {
  cache_index c;
  c.upsert(make_role(g1, 12, 1));
  c.upsert(make_role(g1, 11, 2));
  c.upsert(make_role(g1, 10, 1));
  c.upsert(make_channel(g1, 22, 0, 3));
  c.upsert(make_channel(g1, 21, 2, 0));
  c.upsert(make_voice(g1, 5, 21));
  c.upsert(make_voice(g1, 3, 21));
  c.upsert(make_voice(g1, 4, 22));
  auto roles = c.roles(g1);
  BOOST_REQUIRE_EQUAL(roles.size(), 3u);
  BOOST_TEST(roles[0].id == 10u);
  BOOST_TEST(roles[1].id == 12u);
  BOOST_TEST(roles[2].id == 11u);
  auto channels = c.channels(g1);
  BOOST_REQUIRE_EQUAL(channels.size(), 2u);
  BOOST_TEST(channels[0].id == 21u);
  auto in21 = c.voice_states_in(g1, 21);
  BOOST_REQUIRE_EQUAL(in21.size(), 2u);
  BOOST_TEST(in21[0].user_id == 3u);
  BOOST_TEST(in21[1].user_id == 5u);
  BOOST_TEST(c.voice_states_in(g1, 99).empty());
  BOOST_TEST(c.roles(g2).empty());
  BOOST_TEST(!c.has_guild(g2));
}

BOOST_AUTO_TEST_CASE(bytes_per_cached_member) {
  constexpr std::size_t n = 200000;
  constexpr std::size_t guilds = 20;
  auto rss_bytes = [] {
    long pages = 0, resident = 0;
    if (auto* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
      std::fclose(f);
    }
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
  };
  auto heap_bytes = [] { return static_cast<double>(mallinfo2().uordblks); };
  malloc_trim(0);
  const double rss0 = rss_bytes();
  const double heap0 = heap_bytes();
  auto c = std::make_unique<cache_index>();
  // Typical Discord members: a 10-character name, an avatar hash, a nickname for one in four,
  // up to three roles; each member's user is cached beside it.
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t id = 100000000000000000ull + i * 4194304ull * 7;
    auto m = make_member(g1 + (i % guilds) * 4194304ull, id);
    if (i % 4 == 0)
      m.nickname = proto::compact_string{"nick" + std::to_string(i % 1000)};
    std::vector<std::uint64_t> roles(i % 4, 300000000000000000ull + i % 50);
    m.roles = proto::compact_array<std::uint64_t>{roles};
    auto u = make_user(id, "user" + std::to_string(100000 + i));
    u.avatar = proto::compact_string{"a_0123456789abcdef0123456789abcd"};
    if (c->upsert(std::move(m)))
      c->upsert_user(std::move(u), 1);
  }
  const double rss_per = (rss_bytes() - rss0) / n;
  const double heap_per = (heap_bytes() - heap0) / n;
  BOOST_TEST_MESSAGE("cache_index: " << n << " members with users: " << rss_per
                                     << " bytes/member (RSS), " << heap_per
                                     << " bytes/member (malloc in use)");
  BOOST_TEST(c->counts()[cache_slot(cache_type::member)] == n);
  BOOST_TEST(c->counts()[cache_slot(cache_type::user)] == n);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizer's allocator pads every block and hides malloc's books: nothing to measure.
  (void)rss_per;
  (void)heap_per;
#else
  BOOST_TEST(heap_per < 400.0);
  BOOST_TEST(rss_per < 400.0);
#endif
}

BOOST_AUTO_TEST_SUITE_END()
