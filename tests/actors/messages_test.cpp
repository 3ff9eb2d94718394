// Message types cross CAF's binary serializer and come back equal: what the middleman would
// do with them in cluster mode (each type's `inspect` overload lists every field).

#include "actors/messages.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

using namespace coord;

namespace {

struct serializer_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};

  /// `x` serialized and deserialized again.
  template <class T>
  T round_trip(T x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto err = sink(x);
    BOOST_REQUIRE(!err);
    T y{};
    caf::binary_deserializer source{sys, buf};
    err = source(y);
    BOOST_REQUIRE(!err);
    return y;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(messages, serializer_fixture)

BOOST_AUTO_TEST_CASE(voice_claim_round_trips_with_and_without_a_channel) {
  actors::voice_claim x;
  x.resumed = true;
  x.clients.push_back(proto::voice::voice_client{1, "a", std::nullopt, ""});
  x.clients.push_back(proto::voice::voice_client{2, "b", 42, "eu.voice:443"});
  auto y = round_trip(x);
  BOOST_TEST(y.resumed);
  BOOST_TEST_REQUIRE(y.clients.size() == 2u);
  BOOST_TEST((y.clients[0] == x.clients[0]));
  BOOST_TEST((y.clients[1] == x.clients[1]));
  BOOST_TEST(!y.clients[0].channel_id.has_value());
}

BOOST_AUTO_TEST_CASE(shard_plan_round_trips_with_its_enum) {
  actors::shard_plan x;
  x.shard_count = 4;
  x.sharders = 2;
  x.share = 2;
  x.release_delay_ms = 5000;
  x.shards.push_back({3, actors::shard_status::held, 7, 1200});
  x.sessions.push_back({7, {1, 3}});
  x.buckets.push_back({1, {{7, 3}}, 250});
  x.grants = 9;
  auto y = round_trip(x);
  BOOST_TEST(y.shard_count == 4u);
  BOOST_TEST(y.release_delay_ms == 5000);
  BOOST_TEST_REQUIRE(y.shards.size() == 1u);
  BOOST_TEST((y.shards[0].status == actors::shard_status::held));
  BOOST_TEST(y.shards[0].release_in_ms == 1200);
  BOOST_TEST_REQUIRE(y.sessions.size() == 1u);
  BOOST_TEST((y.sessions[0].shards == std::vector<std::uint32_t>{1, 3}));
  BOOST_TEST_REQUIRE(y.buckets.size() == 1u);
  BOOST_TEST(y.buckets[0].waiting.at(0).shard == 3u);
  BOOST_TEST(y.grants == 9u);
}

BOOST_AUTO_TEST_CASE(music_snapshot_and_actor_summary_round_trip) {
  actors::music_snapshot m{5, {{0, 2, 1700000000000}, {1, 3, 1700000000001}}};
  auto n = round_trip(m);
  BOOST_TEST(n.playing == 5);
  BOOST_TEST_REQUIRE(n.shards.size() == 2u);
  BOOST_TEST(n.shards[1].updated_at_ms == 1700000000001);
  actors::actor_summary s{"shard_stats", 12, 3, {{"shards", "2"}}, true};
  auto t = round_trip(s);
  BOOST_TEST(t.name == "shard_stats");
  BOOST_TEST(t.fields.at(0).second == "2");
}

BOOST_AUTO_TEST_CASE(cluster_records_round_trip) {
  actors::voice_record v{"k", {proto::voice::voice_client{3, "c", 9, "x"}}, false};
  auto w = round_trip(v);
  BOOST_TEST(w.key == "k");
  BOOST_TEST_REQUIRE(w.clients.size() == 1u);
  BOOST_TEST((w.clients[0] == v.clients[0]));
  actors::cluster_info c;
  c.node_id = "a";
  c.lease_left_ms = 1500;
  c.nodes = {{"a", "ws://a"}, {"b", "ws://b"}};
  auto d = round_trip(c);
  BOOST_TEST(d.lease_left_ms == 1500);
  BOOST_TEST(d.nodes.at(1).second == "ws://b");
}

BOOST_AUTO_TEST_CASE(an_inspectable_message_prints_its_fields) {
  auto text = caf::deep_to_string(proto::voice::status_info{1, 2, 3, 4.5});
  BOOST_TEST(text.find("status_info") != std::string::npos);
}

namespace {

namespace gw = proto::gateway;

gw::member cache_member(std::uint64_t id, std::uint64_t guild) {
  gw::member m;
  m.id = id;
  m.guild_id = guild;
  m.joined_at_ms = gw::unknown_time;
  m.nickname = proto::compact_string{"nick"};
  m.roles = proto::compact_array<std::uint64_t>{std::vector<std::uint64_t>{7, 9}};
  return m;
}

gw::user cache_user(std::uint64_t id) {
  gw::user u;
  u.id = id;
  u.username = proto::compact_string{"alice"};
  u.avatar = proto::compact_string{""}; // empty, not null
  u.discriminator_chars = {'0', '0', '4', '2'};
  u.discriminator_length = 4;
  u.bot = true;
  return u;
}

} // namespace

BOOST_AUTO_TEST_CASE(cache_records_round_trip_with_null_and_empty_fields) {
  gw::guild g;
  g.id = 1;
  g.owner_id = 2;
  g.member_count = 3;
  g.name = proto::compact_string{"Guild"};
  g.region = proto::compact_string{""};
  g.has_member_count = false; // icon stays null
  auto h = round_trip(g);
  BOOST_TEST((h == g));
  BOOST_TEST(h.icon.is_null());
  BOOST_TEST(!h.region.is_null());
  BOOST_TEST(h.region.view().empty());
  auto m = cache_member(4, 1);
  auto n = round_trip(m);
  BOOST_TEST((n == m));
  BOOST_TEST(n.nickname.view() == "nick");
  BOOST_TEST_REQUIRE(n.roles.size() == 2u);
  BOOST_TEST(n.roles[1] == 9u);
  m.nickname = proto::compact_string{};
  m.roles = proto::compact_array<std::uint64_t>::null();
  n = round_trip(m);
  BOOST_TEST((n == m));
  BOOST_TEST(n.nickname.is_null());
  BOOST_TEST(n.roles.is_null());
  m.roles = proto::compact_array<std::uint64_t>{}; // empty, not null
  n = round_trip(m);
  BOOST_TEST((n == m));
  BOOST_TEST(!n.roles.is_null());
  actors::cache_counts c{3, {1, 2, 3, 4, 5, 6}};
  auto d = round_trip(c);
  BOOST_TEST(d.partition == 3u);
  BOOST_TEST((d.entities == c.entities));
  std::vector<actors::cache_user_delta> deltas{{cache_user(4), true, 1},
                                               {gw::user{}, false, -1}};
  auto e = round_trip(deltas);
  BOOST_TEST_REQUIRE(e.size() == 2u);
  BOOST_TEST((e[0].record == deltas[0].record));
  BOOST_TEST(e[0].has_record);
  BOOST_TEST(e[1].refs == -1);
}

BOOST_AUTO_TEST_CASE(cache_updates_round_trip_every_alternative_they_carry) {
  gw::guild_update g;
  g.record.id = 1;
  g.record.name = proto::compact_string{"Guild"};
  gw::role r;
  r.id = 5;
  r.guild_id = 1;
  r.permissions = 8;
  r.name = proto::compact_string{"DJ"};
  r.color = 0xff00ff;
  r.position = -1;
  g.roles.push_back(r);
  gw::channel ch;
  ch.id = 6;
  ch.guild_id = 1;
  ch.parent_id = 2;
  ch.name = proto::compact_string{"Music"};
  const std::vector<gw::overwrite> overwrites{{5, 1, 2, false}, {4, 3, 0, true}};
  ch.overwrites = proto::compact_array<gw::overwrite>{overwrites};
  ch.position = 2;
  ch.user_limit = 5;
  ch.type = 2;
  ch.nsfw = true;
  ch.has_user_limit = true;
  ch.has_type = false;
  g.channels.push_back(ch);
  g.voice_states.push_back(gw::voice_state{1, 6, 4, true, false, true, false});
  g.members.push_back(cache_member(4, 1));
  g.users.push_back(cache_user(4));
  g.has_roles = g.has_channels = g.has_members = true;
  auto y = round_trip(gw::cache_update{g});
  BOOST_TEST_REQUIRE(std::holds_alternative<gw::guild_update>(y));
  const auto& h = std::get<gw::guild_update>(y);
  BOOST_TEST((h.record == g.record));
  BOOST_TEST((h.roles == g.roles));
  BOOST_TEST((h.channels == g.channels));
  BOOST_TEST(h.channels.at(0).overwrites.size() == 2u);
  BOOST_TEST((h.voice_states == g.voice_states));
  BOOST_TEST((h.members == g.members));
  BOOST_TEST((h.users == g.users));
  BOOST_TEST(h.has_roles);
  BOOST_TEST(h.has_channels);
  BOOST_TEST(!h.has_voice_states);
  BOOST_TEST(h.has_members);

  auto m = round_trip(gw::cache_update{gw::member_update{cache_member(4, 1), cache_user(4)}});
  BOOST_TEST_REQUIRE(std::holds_alternative<gw::member_update>(m));
  BOOST_TEST((std::get<gw::member_update>(m).record == cache_member(4, 1)));
  BOOST_TEST((std::get<gw::member_update>(m).member_user == cache_user(4)));
  gw::cache_removal gone{gw::cache_type::voice_state, 1, 4};
  auto rm = round_trip(gw::cache_update{gone});
  BOOST_TEST_REQUIRE(std::holds_alternative<gw::cache_removal>(rm));
  BOOST_TEST((std::get<gw::cache_removal>(rm) == gone));
  auto ch2 = round_trip(gw::cache_update{ch});
  BOOST_TEST_REQUIRE(std::holds_alternative<gw::channel>(ch2));
  BOOST_TEST((std::get<gw::channel>(ch2) == ch));
  auto ig = round_trip(gw::cache_update{gw::ignored_record{}});
  BOOST_TEST(std::holds_alternative<gw::ignored_record>(ig));
  auto text = caf::deep_to_string(gw::cache_update{gone});
  BOOST_TEST(text.find("cache_removal") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(resume_answer_and_service_info_round_trip) {
  actors::resume_answer r{true, 7, 1, true, {2, 5}};
  auto q = round_trip(r);
  BOOST_TEST(q.ok);
  BOOST_TEST(q.session == 7u);
  BOOST_TEST(q.type == 1u);
  BOOST_TEST(q.compress);
  BOOST_TEST((q.shards == std::vector<std::uint32_t>{2, 5}));
  actors::service_info a;
  a.id = 3;
  a.type = proto::gateway::service_type::commands;
  a.heap_used = 1024;
  a.start_time_ms = 1700000000000;
  a.shards = std::vector<std::uint32_t>{0, 4};
  auto b = round_trip(a);
  BOOST_TEST(b.id == 3u);
  BOOST_TEST((b.type == proto::gateway::service_type::commands));
  BOOST_TEST(b.heap_used == 1024u);
  BOOST_TEST(b.start_time_ms == 1700000000000);
  BOOST_TEST_REQUIRE(b.shards.has_value());
  BOOST_TEST((*b.shards == std::vector<std::uint32_t>{0, 4}));
  BOOST_TEST(!b.guilds.has_value());
  a.shards.reset();
  a.guilds = 12;
  auto c = round_trip(a);
  BOOST_TEST(!c.shards.has_value());
  BOOST_TEST(c.guilds.value_or(0) == 12u);
}

BOOST_AUTO_TEST_CASE(store_counts_and_settings_changed_round_trip) {
  actors::store_counts n{"s.db", 4, 2};
  auto m = round_trip(n);
  BOOST_TEST(m.path == "s.db");
  BOOST_TEST(m.guilds == 4u);
  BOOST_TEST(m.supporters == 2u);
  actors::settings_changed x;
  x.settings.guild_id = 9;
  x.settings.prefix = "?";
  x.settings.music_enabled = false;
  x.fields = true;
  x.requested = true;
  x.started = caf::actor_clock::time_point{std::chrono::milliseconds(1500)};
  auto y = round_trip(x);
  BOOST_TEST(y.settings.guild_id == 9u);
  BOOST_TEST(y.settings.prefix == "?");
  BOOST_TEST(!y.settings.music_enabled);
  BOOST_TEST(y.fields);
  BOOST_TEST(!y.music);
  BOOST_TEST(y.requested);
  BOOST_TEST((y.started == x.started));
}

BOOST_AUTO_TEST_CASE(a_settings_patch_keeps_which_fields_are_set) {
  proto::admin::settings_patch p;
  p.prefix = "!";
  p.music_enabled = false;
  auto q = round_trip(p);
  BOOST_TEST(q.prefix.value_or("") == "!");
  BOOST_TEST(!q.dj_role_id.has_value());
  BOOST_TEST(!q.voice_channel_id.has_value());
  BOOST_TEST(!q.music_channel_id.has_value());
  BOOST_TEST_REQUIRE(q.music_enabled.has_value());
  BOOST_TEST(!*q.music_enabled);
}

BOOST_AUTO_TEST_SUITE_END()
