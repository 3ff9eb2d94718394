// RESUME with replay (SPEC.md §4.9) through real gateway sessions and the broker on the
// deterministic coordinator: what the resuming connection sees, and the resume counters.
// Commands while a worker is away: command_routing_test.cpp.

#include "tests/actors/gateway_fixture.hpp"

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(gateway_resume, gateway_fixture)

BOOST_AUTO_TEST_CASE(resume_with_the_right_seq_replays_the_missed_frames_then_resumed) {
  auto a = identified(1, "dashboard");
  const auto sid = session_id(1);
  broadcast(1);
  const auto seen = last_s(1);
  closed(1, 1006); // a lost connection leaves the session resumable
  broadcast(2);
  broadcast(3);
  auto missed = events_of(*a, "MUSIC_COMMAND_UPDATE");
  BOOST_TEST(missed.size() == 1u); // nothing is written to the ended connection

  auto b = open(2);
  frame(2, resume_json(sid, seen));
  BOOST_TEST(!b->closed);
  auto fs = frames_of(*b);
  BOOST_REQUIRE_EQUAL(fs.size(), 4u); // HELLO, 2 replayed, RESUMED
  BOOST_TEST(fs[1].t() == "MUSIC_COMMAND_UPDATE");
  BOOST_TEST(fs[1].d().at("guildId").as_string() == "2");
  BOOST_TEST(fs[2].d().at("guildId").as_string() == "3");
  BOOST_TEST(fs[1].s() > seen);
  BOOST_TEST(fs[2].s() > fs[1].s());
  BOOST_TEST(fs[3].t() == "RESUMED");
  BOOST_TEST(!fs[3].has_s());
  BOOST_TEST(fs[3].d().at("replayed").to_number<int>() == 2);
  BOOST_TEST(metrics.resumes_resumed.value() == 1u);
  BOOST_TEST(metrics.replayed_events.value() == 2u);
  BOOST_TEST(metrics.resumes_invalid.value() == 0u);

  // Live events follow with the next `s`, and the session keeps its id in the list.
  const auto replayed_s = fs[2].s();
  broadcast(4);
  auto live = events_of(*b, "MUSIC_COMMAND_UPDATE");
  BOOST_REQUIRE_EQUAL(live.size(), 3u);
  BOOST_TEST(live[2].s() > replayed_s);
  auto list = sessions();
  BOOST_REQUIRE_EQUAL(list.size(), 1u);
  BOOST_TEST(list[0].id == 1u);
  // It is identified: a second IDENTIFY is 4002.
  frame(2, identify_json("dashboard"));
  BOOST_TEST(code_of(*b) == proto::close::already_identified);
}

BOOST_AUTO_TEST_CASE(resume_of_a_compressed_session_replays_compressed) {
  identified(1, "commands", true);
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  broadcast(2);
  auto b = open(2);
  frame(2, resume_json(sid, seen));
  auto fs = frames_of(*b);
  BOOST_REQUIRE_EQUAL(fs.size(), 3u);
  BOOST_TEST(fs[1].binary);
  BOOST_TEST(fs[1].t() == "MUSIC_COMMAND_UPDATE");
  BOOST_TEST(fs[2].binary);
  BOOST_TEST(fs[2].t() == "RESUMED");
}

BOOST_AUTO_TEST_CASE(resume_while_the_old_connection_is_open_closes_it_4010) {
  auto a = identified(1, "dashboard");
  const auto sid = session_id(1);
  auto b = open(2);
  frame(2, resume_json(sid, last_s(1)));
  BOOST_TEST(code_of(*a) == proto::close::taken_over);
  BOOST_TEST(events_of(*b, "RESUMED").size() == 1u);
  // net/ reports the old connection's end: the session lives on in the new one.
  closed(1, proto::close::taken_over);
  broadcast(5);
  BOOST_TEST(events_of(*b, "MUSIC_COMMAND_UPDATE").size() == 1u);
  BOOST_TEST(sessions().size() == 1u);
}

BOOST_AUTO_TEST_CASE(resume_with_a_gap_is_invalid_and_ends_the_session) {
  identified(1, "dashboard");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  // resume_buffer_events is 8: the 9th frame while away pushes out the first one missed.
  for (std::uint64_t g = 1; g <= 9; ++g)
    broadcast(g);
  auto b = open(2);
  frame(2, resume_json(sid, seen));
  auto fs = frames_of(*b);
  BOOST_REQUIRE_EQUAL(fs.size(), 2u); // HELLO, INVALID_SESSION: nothing replayed
  BOOST_TEST(fs[1].t() == "INVALID_SESSION");
  BOOST_TEST(!fs[1].binary);
  BOOST_TEST(!fs[1].has_s());
  BOOST_TEST(fs[1].d().at("resumable").as_bool() == false);
  BOOST_TEST(!b->closed); // open and unidentified
  BOOST_TEST(metrics.resumes_invalid.value() == 1u);
  BOOST_TEST(metrics.resumes_resumed.value() == 0u);
  BOOST_TEST(metrics.replayed_events.value() == 0u);
  // The session named is ended: even a seq with no gap finds nothing now.
  auto c = open(3);
  frame(3, resume_json(sid, last_s(1) + 9));
  BOOST_TEST(events_of(*c, "INVALID_SESSION").size() == 1u);
  // The client IDENTIFYs on the same connection.
  frame(2, identify_json("dashboard"));
  BOOST_TEST(events_of(*b, "IDENTIFIED").size() == 1u);
  BOOST_TEST(!b->closed);
}

BOOST_AUTO_TEST_CASE(resume_of_an_unknown_session_is_invalid) {
  auto b = open(1);
  frame(1, resume_json("0123456789abcdef0123456789abcdef", 1));
  auto ev = events_of(*b, "INVALID_SESSION");
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(!b->closed);
  BOOST_TEST(metrics.resumes_invalid.value() == 1u);
}

BOOST_AUTO_TEST_CASE(resume_with_a_seq_past_the_last_s_is_invalid) {
  identified(1, "dashboard");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  auto b = open(2);
  frame(2, resume_json(sid, seen + 1));
  BOOST_TEST(events_of(*b, "INVALID_SESSION").size() == 1u);
  BOOST_TEST(events_of(*b, "RESUMED").empty());
}

BOOST_AUTO_TEST_CASE(resume_with_a_wrong_secret_closes_4001) {
  identified(1, "dashboard");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  auto b = open(2);
  frame(2, resume_json(sid, seen, "wrong"));
  BOOST_TEST(code_of(*b) == proto::close::auth_failed);
  BOOST_TEST(events_of(*b, "RESUMED").empty());
  BOOST_TEST(events_of(*b, "INVALID_SESSION").empty());
}

BOOST_AUTO_TEST_CASE(a_client_goodbye_1000_ends_the_session) {
  identified(1, "dashboard");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, proto::close::normal);
  BOOST_TEST(sessions().empty());
  auto b = open(2);
  frame(2, resume_json(sid, seen));
  BOOST_TEST(events_of(*b, "INVALID_SESSION").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_protocol_error_of_ours_ends_the_session) {
  auto a = identified(1, "dashboard");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  frame(1, identify_json("dashboard")); // 4002
  BOOST_TEST(code_of(*a) == proto::close::already_identified);
  closed(1, proto::close::already_identified);
  auto b = open(2);
  frame(2, resume_json(sid, seen));
  BOOST_TEST(events_of(*b, "INVALID_SESSION").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_session_is_resumable_for_the_window_only) {
  identified(1, "dashboard");
  const auto sid = session_id(1);
  const auto seen = last_s(1);
  closed(1, 1006);
  auto list = sessions();
  BOOST_REQUIRE_EQUAL(list.size(), 1u);
  BOOST_TEST(list[0].state == "resumable");
  advance(std::chrono::seconds(59));
  BOOST_TEST(sessions().size() == 1u);
  advance(std::chrono::seconds(2)); // past gateway.resume_window_s (60)
  BOOST_TEST(sessions().empty());
  auto b = open(2);
  frame(2, resume_json(sid, seen));
  BOOST_TEST(events_of(*b, "INVALID_SESSION").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
