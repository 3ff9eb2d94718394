// The console's list and object answers (actors/console/console_render.hpp).

#include "actors/console/console_render.hpp"

#include <boost/test/unit_test.hpp>

using namespace coord;
using namespace coord::actors;

BOOST_AUTO_TEST_SUITE(console_render)

BOOST_AUTO_TEST_CASE(sessions_sorted_filtered_one_line_each) {
  session_info a;
  a.id = 9;
  a.dialect = ports::dialect::voice;
  a.remote = "10.0.0.1:5";
  session_info b;
  b.id = 2;
  b.remote = "127.0.0.1:7";
  b.receiving = true;
  b.queued_bytes = 12;
  b.messages_in = 3;
  b.messages_out = 4;
  BOOST_TEST(render_sessions({a, b}, std::nullopt) ==
             "sessions:2\n"
             "id=2 dialect=companion state=connected remote=127.0.0.1:7 receiving=yes queued_bytes=12 "
             "messages_in=3 messages_out=4\n"
             "id=9 dialect=voice state=connected remote=10.0.0.1:5 receiving=no queued_bytes=0 "
             "messages_in=0 messages_out=0\n");
  BOOST_TEST(render_sessions({a, b}, ports::dialect::gateway) == "sessions:0\n");
}

BOOST_AUTO_TEST_CASE(actors_one_line_each_with_unknown_mailbox_as_question_mark) {
  actor_summary a{"broker", 4, 2, {{"sessions", "1"}, {"note", "two words"}}};
  actor_summary b{"voice_session", 12, 0, {{"answer", "none"}}, false};
  BOOST_TEST(render_actors({a, b}) ==
             "actors:2\n"
             "name=broker id=4 mailbox=2 sessions=1 note=two_words\n"
             "name=voice_session id=12 mailbox=? answer=none\n");
}

BOOST_AUTO_TEST_CASE(session_without_an_actor_answer) {
  session_info s;
  s.id = 3;
  auto text = render_session(s, std::nullopt);
  BOOST_TEST(text.find("id:3\n") == 0u);
  BOOST_TEST(text.find("actor:no answer\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(guild_prefix_is_escaped) {
  proto::guild_settings s;
  s.guild_id = 1;
  s.prefix = "a\n\nb";
  s.music_enabled = false;
  BOOST_TEST(render_guild(s) ==
             "guild_id:1\nprefix:a\\n\\nb\ndj_role_id:0\nvoice_channel_id:0\n"
             "music_channel_id:0\nmusic_enabled:no\n");
}

BOOST_AUTO_TEST_CASE(help_and_shards_have_no_empty_line) {
  shard_plan plan;
  plan.shard_count = 2;
  plan.share = 2;
  plan.shards = {{0, shard_status::owned, 7, 0}, {1, shard_status::held, 8, 900}};
  auto shards = render_shards(plan);
  BOOST_TEST(shards.find("shard=1 state=held session=8 release_in_ms=900\n") != std::string::npos);
  for (const auto& text : {render_help(), shards, render_supporters({})}) {
    BOOST_TEST(text.back() == '\n');
    BOOST_TEST(text.find("\n\n") == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
