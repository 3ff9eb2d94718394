// The cache read API (SPEC.md §4.8) over real partitions on the test coordinator: every route,
// auth, 400/404/405, channel type names, the user count across partitions, /services.

#include "tests/actors/fixture.hpp"

#include "actors/cache/entity_cache.hpp"
#include "actors/cache/read_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;
namespace gw = proto::gateway;
namespace json = boost::json;
using gw::cache_type;

namespace {

constexpr std::uint32_t partitions = 4;
const std::string secret = "s3cret";

constexpr std::uint64_t id_in(std::uint64_t p, std::uint64_t n) {
  return ((p + partitions * n) << 22) | 777;
}

const std::uint64_t guild = id_in(1, 1);
const std::uint64_t text_channel = guild + 1;
const std::uint64_t voice_channel = guild + 2;
const std::uint64_t role_id = guild + 3;
const std::uint64_t alice = id_in(2, 1); // user in partition 2
const std::uint64_t bob = id_in(3, 1);   // user in partition 3

/// The http_api stand-in: hands every request to serve_read_api.
actors::http_api_actor::behavior_type front(actors::http_api_actor::pointer self,
                                            actors::read_api_deps deps) {
  return {
    [=](actors::http_atom, const ports::http_request& req, const actors::http_responder_ptr& r) {
      actors::serve_read_api(self, deps, req, r);
    },
    [](actors::inspect_atom) { return actors::actor_summary{}; },
  };
}

/// The broker stand-in for GET /services.
caf::behavior services_stub(caf::event_based_actor*) {
  return {
    [](actors::services_atom) {
      actors::service_info sharder;
      sharder.id = 7;
      sharder.type = gw::service_type::sharder;
      sharder.heap_used = 1024;
      sharder.start_time_ms = 1700000000000;
      sharder.shards = std::vector<std::uint32_t>{0, 1};
      sharder.guilds = 42;
      actors::service_info commands;
      commands.id = 8;
      commands.type = gw::service_type::commands;
      commands.heap_used = 2048;
      commands.start_time_ms = 1700000000001;
      return std::vector<actors::service_info>{sharder, commands};
    },
  };
}

gw::user make_user(std::uint64_t id, std::string_view name) {
  gw::user u;
  u.id = id;
  u.username = proto::compact_string{name};
  u.discriminator_chars = {'0', '0', '0', '7'};
  u.discriminator_length = 4;
  return u;
}

struct read_fixture : actor_fixture {
  read_fixture() {
    parts = actors::spawn_entity_cache(sys, partitions, &metrics);
    for (auto& p : parts)
      track(p);
    auto services =
      caf::actor_cast<actors::service_directory_actor>(track(sys.spawn(services_stub)));
    actors::read_api_deps deps{secret, parts, services};
    api = track(sys.spawn(front, deps));
    sched.run();
    load();
  }

  /// A voice guild: two channels, a role, alice and bob (bob in voice).
  void load() {
    gw::guild_update g;
    g.record.id = guild;
    g.record.name = proto::compact_string{"Guild"};
    g.record.region = proto::compact_string{"eu-west"};
    g.record.owner_id = alice;
    g.record.member_count = 2;
    gw::role r;
    r.id = role_id;
    r.guild_id = guild;
    r.name = proto::compact_string{"DJ"};
    r.position = 1;
    g.roles.push_back(r);
    gw::channel text;
    text.id = text_channel;
    text.guild_id = guild;
    text.name = proto::compact_string{"general"};
    text.position = 0;
    gw::channel voice = text;
    voice.id = voice_channel;
    voice.name = proto::compact_string{"Music"};
    voice.type = 2;
    voice.position = 1;
    voice.has_user_limit = true;
    voice.user_limit = 5;
    g.channels = {text, voice};
    for (auto [id, name] : {std::pair{alice, "alice"}, std::pair{bob, "bob"}}) {
      gw::member m;
      m.id = id;
      m.guild_id = guild;
      m.joined_at_ms = 1500000000000;
      g.members.push_back(std::move(m));
      g.users.push_back(make_user(id, name));
    }
    gw::voice_state v;
    v.guild_id = guild;
    v.user_id = bob;
    v.channel_id = voice_channel;
    v.self_mute = true;
    g.voice_states.push_back(v);
    actors::cache_ingest(parts, std::move(g));
    actors::cache_ingest(parts, make_user(id_in(0, 5), "loner")); // a user with no member
    sched.run();
  }

  ports::http_response call(std::string method, std::string target,
                          std::string auth = secret) {
    auto r = std::make_shared<fake_responder>();
    ports::http_request req{std::move(method), std::move(target), std::move(auth), ""};
    caf::anon_send(api, actors::http_atom::value, req, actors::http_responder_ptr{r});
    sched.run();
    BOOST_REQUIRE(r->answer);
    return *r->answer;
  }

  json::value get_json(const std::string& target, unsigned status = 200) {
    auto res = call("GET", target);
    BOOST_CHECK_MESSAGE(res.status == status, target << " answered " << res.status << " " << res.body);
    BOOST_TEST(res.content_type == "application/json");
    return json::parse(res.body);
  }

  std::string base() const { return "/discord/guilds/" + std::to_string(guild); }

  std::vector<actors::entity_cache_actor> parts;
  actors::http_api_actor api;
};

std::string str(const json::value& v) {
  return std::string{v.as_string().c_str()};
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(read_api_suite, read_fixture)

BOOST_AUTO_TEST_CASE(the_gateway_secret_is_required) {
  auto none = call("GET", base(), "");
  BOOST_TEST(none.status == 401u);
  BOOST_TEST(json::parse(none.body).as_object().contains("error"));
  BOOST_TEST(call("GET", base(), "wrong").status == 403u);
  BOOST_TEST(call("GET", base(), "Bearer " + secret).status == 403u);
  BOOST_TEST(call("GET", "/services", "").status == 401u);
  BOOST_TEST(call("GET", "/discord/nothing/here", "").status == 401u);
  BOOST_TEST(actors::is_read_api_path("/discord/users?x=1"));
  BOOST_TEST(actors::is_read_api_path("/services"));
  BOOST_TEST(!actors::is_read_api_path("/discordant"));
  BOOST_TEST(!actors::is_read_api_path("/api/v1/stats"));
}

BOOST_AUTO_TEST_CASE(get_a_guild) {
  auto g = get_json(base()).as_object();
  BOOST_TEST(str(g.at("id")) == std::to_string(guild));
  BOOST_TEST(str(g.at("name")) == "Guild");
  BOOST_TEST(g.at("icon").is_null());
  BOOST_TEST(str(g.at("ownerID")) == std::to_string(alice));
  BOOST_TEST(str(g.at("region")) == "eu-west");
  BOOST_TEST(g.at("memberCount").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(delete_a_guild_removes_it_with_its_members_users) {
  auto res = call("DELETE", base());
  BOOST_TEST(res.status == 204u); // as the original: no body
  BOOST_TEST(res.body.empty());
  BOOST_TEST(call("GET", base()).status == 404u);
  BOOST_TEST(call("GET", base() + "/channels").status == 404u);
  BOOST_TEST(call("GET", "/discord/users/" + std::to_string(alice)).status == 404u);
  BOOST_TEST(get_json("/discord/users").at("users").as_int64() == 1); // the loner
  BOOST_TEST(call("DELETE", base()).status == 404u);
  BOOST_TEST(metrics.cache_entities[actors::cache_slot(cache_type::member)].value() == 0);
}

BOOST_AUTO_TEST_CASE(delete_removes_a_member_role_channel_or_voice_state_with_204) {
  const auto g = base();
  const auto bob_id = std::to_string(bob);
  for (const auto& target :
       {g + "/voicestates/" + bob_id, g + "/members/" + std::to_string(alice),
        g + "/roles/" + std::to_string(role_id), g + "/channels/" + std::to_string(text_channel)}) {
    BOOST_TEST_CONTEXT(target) {
      BOOST_TEST(call("GET", target).status == 200u);
      auto res = call("DELETE", target);
      BOOST_TEST(res.status == 204u);
      BOOST_TEST(res.body.empty());
      BOOST_TEST(call("GET", target).status == 404u);
      auto again = call("DELETE", target);
      BOOST_TEST(again.status == 404u);
      BOOST_TEST(json::parse(again.body).as_object().contains("error"));
    }
  }
  // The member's user lost its last member: it goes too; bob stays, and so does the guild.
  BOOST_TEST(call("GET", "/discord/users/" + std::to_string(alice)).status == 404u);
  BOOST_TEST(call("GET", g + "/members/" + bob_id).status == 200u);
  BOOST_TEST(call("GET", g).status == 200u);
  BOOST_TEST(metrics.cache_entities[actors::cache_slot(cache_type::voice_state)].value() == 0);
  BOOST_TEST(metrics.cache_entities[actors::cache_slot(cache_type::role)].value() == 0);
  BOOST_TEST(metrics.cache_entities[actors::cache_slot(cache_type::channel)].value() == 1);
  // Deleting a channel takes the voice states in it along.
  BOOST_TEST(call("DELETE", g + "/channels/" + std::to_string(voice_channel)).status == 204u);
  BOOST_TEST(call("DELETE", g + "/channels/x").status == 400u);
}

BOOST_AUTO_TEST_CASE(channels_come_with_type_names) {
  auto xs = get_json(base() + "/channels").as_array();
  BOOST_REQUIRE_EQUAL(xs.size(), 2u);
  BOOST_TEST(str(xs[0].at("id")) == std::to_string(text_channel));
  BOOST_TEST(str(xs[0].at("type")) == "text");
  BOOST_TEST(xs[0].at("userLimit").is_null()); // never sent: unknown
  BOOST_TEST(xs[0].at("parentID").is_null());
  BOOST_TEST(str(xs[1].at("type")) == "voice");
  auto c = get_json(base() + "/channels/" + std::to_string(voice_channel)).as_object();
  BOOST_TEST(str(c.at("name")) == "Music");
  BOOST_TEST(str(c.at("type")) == "voice");
  BOOST_TEST(c.at("userLimit").as_int64() == 5);
  BOOST_TEST(str(c.at("guildID")) == std::to_string(guild));
}

BOOST_AUTO_TEST_CASE(channel_members_are_the_voice_states_in_it) {
  auto xs = get_json(base() + "/channels/" + std::to_string(voice_channel) + "/members")
              .as_array();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(str(xs[0].at("userID")) == std::to_string(bob));
  BOOST_TEST(str(xs[0].at("channelID")) == std::to_string(voice_channel));
  BOOST_TEST(xs[0].at("selfMute").as_bool());
  // A cached channel nobody is in: an empty list.
  auto empty = get_json(base() + "/channels/" + std::to_string(text_channel) + "/members");
  BOOST_TEST(empty.as_array().empty());
  get_json(base() + "/channels/123/members", 404);
}

BOOST_AUTO_TEST_CASE(voice_state_of_a_user) {
  auto v = get_json(base() + "/voicestates/" + std::to_string(bob)).as_object();
  BOOST_TEST(str(v.at("guildID")) == std::to_string(guild));
  BOOST_TEST(!v.at("deaf").as_bool());
  get_json(base() + "/voicestates/" + std::to_string(alice), 404);
}

BOOST_AUTO_TEST_CASE(a_member_comes_with_its_user_from_the_users_partition) {
  auto m = get_json(base() + "/members/" + std::to_string(alice)).as_object();
  BOOST_TEST(str(m.at("id")) == std::to_string(alice));
  BOOST_TEST(m.at("nickname").is_null());
  BOOST_TEST(m.at("roles").as_array().empty());
  BOOST_TEST(str(m.at("joinedAt")).rfind("2017-07-14T02:40:00", 0) == 0u);
  BOOST_TEST(str(m.at("user").at("username")) == "alice");
  BOOST_TEST(str(m.at("user").at("discriminator")) == "0007");
  // The user removed on its own: the member is answered without it.
  actors::cache_ingest(parts, gw::cache_removal{cache_type::user, 0, bob});
  sched.run();
  auto b = get_json(base() + "/members/" + std::to_string(bob)).as_object();
  BOOST_TEST(!b.contains("user"));
  get_json(base() + "/members/" + std::to_string(id_in(0, 9)), 404);
}

BOOST_AUTO_TEST_CASE(roles_and_one_role) {
  auto xs = get_json(base() + "/roles").as_array();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(str(xs[0].at("name")) == "DJ");
  auto r = get_json(base() + "/roles/" + std::to_string(role_id)).as_object();
  BOOST_TEST(str(r.at("id")) == std::to_string(role_id));
  BOOST_TEST(r.at("position").as_int64() == 1);
  get_json(base() + "/roles/1", 404);
}

BOOST_AUTO_TEST_CASE(users_are_counted_over_all_partitions) {
  // alice (partition 2), bob (3), loner (0).
  BOOST_TEST(get_json("/discord/users").at("users").as_int64() == 3);
  auto u = get_json("/discord/users/" + std::to_string(bob)).as_object();
  BOOST_TEST(str(u.at("username")) == "bob");
  BOOST_TEST(!u.at("bot").as_bool());
  BOOST_TEST(u.at("avatar").is_null());
  get_json("/discord/users/42", 404);
}

BOOST_AUTO_TEST_CASE(services_lists_identified_gateway_sessions) {
  auto xs = get_json("/services").as_array();
  BOOST_REQUIRE_EQUAL(xs.size(), 2u);
  auto s = xs[0].as_object();
  BOOST_TEST(s.at("id").as_int64() == 7);
  BOOST_TEST(str(s.at("type")) == "sharder");
  BOOST_TEST(s.at("heapUsed").as_int64() == 1024);
  BOOST_TEST(s.at("startTime").as_int64() == 1700000000000);
  BOOST_TEST(s.at("shards").as_array().size() == 2u);
  BOOST_TEST(s.at("guilds").as_int64() == 42);
  auto c = xs[1].as_object();
  BOOST_TEST(str(c.at("type")) == "commands");
  BOOST_TEST(!c.contains("shards"));
  BOOST_TEST(!c.contains("guilds"));
}

BOOST_AUTO_TEST_CASE(unknown_ids_answer_404_with_an_error) {
  for (auto target : {"/discord/guilds/1", "/discord/guilds/1/channels", "/discord/guilds/1/roles",
                      "/discord/users/1"}) {
    auto v = get_json(target, 404);
    BOOST_TEST(v.as_object().contains("error"));
  }
  get_json(base() + "/channels/5", 404);
  BOOST_TEST(str(get_json(base() + "/channels/5", 404).at("error")) == "unknown channel");
}

BOOST_AUTO_TEST_CASE(ids_that_are_not_snowflakes_answer_400) {
  for (auto target : {"/discord/guilds/abc", "/discord/guilds/-1/roles",
                      "/discord/guilds/1/channels/x", "/discord/guilds/1/channels/x/members",
                      "/discord/guilds/1/members/1.5", "/discord/guilds/1/voicestates/%20",
                      "/discord/guilds/1/roles/99999999999999999999", "/discord/users/me"})
    get_json(target, 400);
}

BOOST_AUTO_TEST_CASE(wrong_methods_answer_405) {
  BOOST_TEST(call("POST", base()).status == 405u);
  BOOST_TEST(call("DELETE", base() + "/channels").status == 405u);
  BOOST_TEST(call("PUT", base() + "/roles/1").status == 405u);
  BOOST_TEST(call("DELETE", "/discord/users").status == 405u);
  BOOST_TEST(call("PATCH", "/discord/users/1").status == 405u);
  BOOST_TEST(call("POST", "/services").status == 405u);
  // The guild is still there.
  BOOST_TEST(call("GET", base()).status == 200u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_answer_404) {
  for (auto target : {"/discord", "/discord/guilds", "/discord/guilds/1/emojis",
                      "/discord/guilds/1/channels/2/members/3", "/discord/users/1/guilds",
                      "/services/1"})
    get_json(target, 404);
}

BOOST_AUTO_TEST_CASE(a_query_string_is_ignored) {
  BOOST_TEST(get_json(base() + "?with=members").at("name").as_string() == "Guild");
}

BOOST_AUTO_TEST_SUITE_END()
