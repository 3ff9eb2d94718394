// The entity cache partitions: routing by (id >> 22) % partitions, users forwarded to their
// own partition, cascades across partitions, the metrics gauges and the console snapshot.

#include "tests/actors/fixture.hpp"

#include "actors/cache/entity_cache.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;
namespace gw = proto::gateway;
using gw::cache_type;

namespace {

constexpr std::uint32_t partitions = 4;

/// An id whose partition is `p` (of 4): the part above bit 22 decides.
constexpr std::uint64_t id_in(std::uint64_t p, std::uint64_t n) {
  return ((p + partitions * n) << 22) | 12345;
}

gw::user make_user(std::uint64_t id) {
  gw::user u;
  u.id = id;
  u.username = proto::compact_string{"user" + std::to_string(id % 1000)};
  u.discriminator_chars = {'0', '0', '4', '2'};
  u.discriminator_length = 4;
  return u;
}

gw::member make_member(std::uint64_t guild, std::uint64_t id) {
  gw::member m;
  m.id = id;
  m.guild_id = guild;
  return m;
}

gw::guild_update make_guild(std::uint64_t id, const std::vector<std::uint64_t>& members) {
  gw::guild_update g;
  g.record.id = id;
  g.record.name = proto::compact_string{"g"};
  g.record.region = proto::compact_string{"eu"};
  gw::role r;
  r.id = id + 1;
  r.guild_id = id;
  g.roles.push_back(r);
  gw::channel c;
  c.id = id + 2;
  c.guild_id = id;
  c.type = 2;
  g.channels.push_back(c);
  g.has_channels = true;
  for (auto m : members) {
    g.members.push_back(make_member(id, m));
    g.users.push_back(make_user(m));
  }
  g.has_members = true;
  if (!members.empty()) {
    gw::voice_state v;
    v.guild_id = id;
    v.user_id = members.front();
    v.channel_id = id + 2;
    g.voice_states.push_back(v);
    g.has_voice_states = true;
  }
  return g;
}

struct cache_fixture : actor_fixture {
  cache_fixture() {
    parts = actors::spawn_entity_cache(sys, partitions, &metrics);
    for (auto& p : parts)
      track(p);
    sched.run();
  }

  void ingest(gw::cache_update u) {
    actors::cache_ingest(parts, std::move(u));
    sched.run();
  }

  template <class R, class... Ts>
  caf::expected<R> ask(const actors::entity_cache_actor& who, Ts... xs) {
    auto handle = self->request(who, caf::infinite, xs...);
    sched.run();
    caf::expected<R> out{caf::sec::request_timeout};
    handle.receive([&](const R& r) { out = r; }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  std::uint64_t held(std::size_t p, cache_type t) {
    auto c = ask<actors::cache_counts>(parts[p], actors::cache_counts_atom::value);
    BOOST_REQUIRE(c);
    BOOST_TEST(c->partition == p);
    return c->entities[actors::cache_slot(t)];
  }

  std::uint64_t total(cache_type t) {
    std::uint64_t n = 0;
    for (std::size_t p = 0; p < parts.size(); ++p)
      n += held(p, t);
    return n;
  }

  std::int64_t gauge(cache_type t) {
    return metrics.cache_entities[actors::cache_slot(t)].value();
  }

  bool has_user(std::uint64_t id) {
    return static_cast<bool>(
      ask<gw::user>(parts[actors::partition_of(id, partitions)], actors::cache_user_atom::value, id));
  }

  std::vector<actors::entity_cache_actor> parts;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(entity_cache_suite, cache_fixture)

BOOST_AUTO_TEST_CASE(partition_of_is_the_shard_formula) {
  BOOST_TEST(actors::partition_of(id_in(3, 7), 4) == 3u);
  BOOST_TEST(actors::partition_of(81384788765712384ull, 4) == (81384788765712384ull >> 22) % 4);
  BOOST_TEST(actors::partition_of(81384788765712384ull, 1) == 0u);
  BOOST_TEST(actors::partition_of(5, 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_guild_lands_in_its_partition_and_its_users_in_theirs) {
  const auto guild = id_in(1, 1);
  const auto u2 = id_in(2, 1), u3 = id_in(3, 1), u1 = id_in(1, 2);
  ingest(make_guild(guild, {u2, u3, u1}));
  BOOST_TEST(held(1, cache_type::guild) == 1u);
  BOOST_TEST(held(1, cache_type::member) == 3u);
  BOOST_TEST(held(1, cache_type::role) == 1u);
  BOOST_TEST(held(1, cache_type::channel) == 1u);
  BOOST_TEST(held(1, cache_type::voice_state) == 1u);
  BOOST_TEST(held(0, cache_type::member) == 0u);
  BOOST_TEST(held(2, cache_type::user) == 1u);
  BOOST_TEST(held(3, cache_type::user) == 1u);
  BOOST_TEST(held(1, cache_type::user) == 1u);
  BOOST_TEST(held(0, cache_type::user) == 0u);
  auto g = ask<gw::guild>(parts[1], actors::cache_guild_atom::value, guild);
  BOOST_REQUIRE(g);
  BOOST_TEST(g->name.view() == "g");
  auto m = ask<gw::member>(parts[1], actors::cache_member_atom::value, guild, u3);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->id == u3);
  BOOST_TEST(has_user(u3));
  // Asked in the wrong partition, nothing is there.
  BOOST_TEST(!ask<gw::guild>(parts[0], actors::cache_guild_atom::value, guild));
}

BOOST_AUTO_TEST_CASE(single_records_route_by_guild_and_users_by_id) {
  const auto guild = id_in(2, 5);
  const auto uid = id_in(3, 5);
  ingest(gw::member_update{make_member(guild, uid), make_user(uid)});
  gw::role r;
  r.id = 77;
  r.guild_id = guild;
  ingest(r);
  ingest(make_user(id_in(0, 9)));
  BOOST_TEST(held(2, cache_type::member) == 1u);
  BOOST_TEST(held(2, cache_type::role) == 1u);
  BOOST_TEST(held(3, cache_type::user) == 1u);
  BOOST_TEST(held(0, cache_type::user) == 1u);
  // A voice state with channelID null removes it.
  gw::voice_state v;
  v.guild_id = guild;
  v.user_id = uid;
  v.channel_id = 99;
  ingest(v);
  BOOST_TEST(held(2, cache_type::voice_state) == 1u);
  ingest(gw::cache_removal{cache_type::voice_state, guild, uid});
  BOOST_TEST(held(2, cache_type::voice_state) == 0u);
}

BOOST_AUTO_TEST_CASE(removing_a_guild_drops_users_no_other_guild_holds) {
  const auto a = id_in(1, 1), b = id_in(2, 3);
  const auto only_a = id_in(3, 1), both = id_in(0, 1), alone = id_in(2, 9);
  ingest(make_guild(a, {only_a, both}));
  ingest(make_guild(b, {both}));
  ingest(make_user(alone)); // sent on its own, no member
  BOOST_TEST(total(cache_type::user) == 3u);
  ingest(gw::cache_removal{cache_type::guild, 0, a});
  BOOST_TEST(held(1, cache_type::guild) == 0u);
  BOOST_TEST(held(1, cache_type::member) == 0u);
  BOOST_TEST(held(1, cache_type::role) == 0u);
  BOOST_TEST(held(1, cache_type::channel) == 0u);
  BOOST_TEST(held(1, cache_type::voice_state) == 0u);
  BOOST_TEST(!has_user(only_a));
  BOOST_TEST(has_user(both));
  BOOST_TEST(has_user(alone));
  // The member's removal in b drops the last reference.
  ingest(gw::cache_removal{cache_type::member, b, both});
  BOOST_TEST(!has_user(both));
  BOOST_TEST(total(cache_type::user) == 1u);
}

BOOST_AUTO_TEST_CASE(drop_removes_a_guild_and_says_whether_it_was_there) {
  const auto guild = id_in(3, 2), uid = id_in(1, 4);
  ingest(make_guild(guild, {uid}));
  const auto type = static_cast<std::uint8_t>(cache_type::guild);
  auto dropped = ask<bool>(parts[3], actors::cache_drop_atom::value, type, guild, guild);
  BOOST_REQUIRE(dropped);
  BOOST_TEST(*dropped);
  sched.run();
  BOOST_TEST(!has_user(uid));
  auto again = ask<bool>(parts[3], actors::cache_drop_atom::value, type, guild, guild);
  BOOST_REQUIRE(again);
  BOOST_TEST(!*again);
}

BOOST_AUTO_TEST_CASE(a_role_removal_without_guild_reaches_every_partition) {
  const auto guild = id_in(2, 2);
  ingest(make_guild(guild, {}));
  BOOST_TEST(held(2, cache_type::role) == 1u);
  BOOST_TEST(held(2, cache_type::channel) == 1u);
  ingest(gw::cache_removal{cache_type::role, 0, guild + 1});
  ingest(gw::cache_removal{cache_type::channel, 0, guild + 2});
  BOOST_TEST(held(2, cache_type::role) == 0u);
  BOOST_TEST(held(2, cache_type::channel) == 0u);
  BOOST_TEST(held(2, cache_type::guild) == 1u);
}

BOOST_AUTO_TEST_CASE(gauges_are_the_sums_over_partitions) {
  const auto a = id_in(0, 1), b = id_in(3, 1);
  ingest(make_guild(a, {id_in(1, 1), id_in(2, 1)}));
  ingest(make_guild(b, {id_in(1, 1), id_in(3, 2)}));
  for (auto t : {cache_type::member, cache_type::role, cache_type::user, cache_type::guild,
                 cache_type::channel, cache_type::voice_state})
    BOOST_TEST(gauge(t) == static_cast<std::int64_t>(total(t)));
  BOOST_TEST(gauge(cache_type::member) == 4);
  BOOST_TEST(gauge(cache_type::user) == 3);
  BOOST_TEST(gauge(cache_type::guild) == 2);
  ingest(gw::cache_removal{cache_type::guild, 0, a});
  BOOST_TEST(gauge(cache_type::member) == 2);
  BOOST_TEST(gauge(cache_type::user) == 2);
  BOOST_TEST(gauge(cache_type::guild) == 1);
  BOOST_TEST(gauge(cache_type::voice_state) == 1);
  BOOST_TEST(metrics.render().find("coordinator_cache_entities{type=\"member\"} 2")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_ids_answer_not_found) {
  auto g = ask<gw::guild>(parts[0], actors::cache_guild_atom::value, std::uint64_t{1});
  BOOST_REQUIRE(!g);
  BOOST_TEST(g.error().category() == caf::atom("coord"));
  BOOST_TEST(g.error().code() == static_cast<std::uint8_t>(actors::coord_errc::not_found));
  BOOST_TEST(!ask<std::vector<gw::role>>(parts[0], actors::cache_roles_atom::value,
                                         std::uint64_t{1}));
}

BOOST_AUTO_TEST_CASE(a_partition_describes_itself) {
  ingest(make_guild(id_in(2, 1), {id_in(2, 2)}));
  auto s = ask<actors::actor_summary>(parts[2], actors::inspect_atom::value);
  BOOST_REQUIRE(s);
  BOOST_TEST(s->name == "entity_cache");
  BOOST_REQUIRE_EQUAL(s->fields.size(), 7u);
  BOOST_TEST(s->fields[0].first == "partition");
  BOOST_TEST(s->fields[0].second == "2");
  BOOST_TEST(s->fields[1].first == "member");
  BOOST_TEST(s->fields[1].second == "1");
}

BOOST_AUTO_TEST_SUITE_END()
