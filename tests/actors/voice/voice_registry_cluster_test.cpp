// The voice registry in cluster mode (SPEC.md §9) on the deterministic coordinator: a new
// active's recorded voice sessions are retained and resumable, every change goes to the
// recorder, and standing down drops everything.

#include "tests/actors/voice/registry_fixture.hpp"

#include "actors/cluster/cluster_messages.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/send.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;
using actors::voice_record;

namespace {

voice_client vc(std::uint64_t guild, std::optional<std::uint64_t> channel = std::nullopt) {
  return voice_client{guild, "id-" + std::to_string(guild), channel, "ep-" + std::to_string(guild)};
}

struct cluster_registry_fixture : registry_fixture {
  cluster_registry_fixture() : recorder(sys) {}

  /// The cluster actor (here `recorder`) hands over what the last active recorded.
  void load(std::vector<voice_record> sessions) {
    recorder->send(registry, actors::cl_voice_load_atom::value, std::move(sessions));
    sched.run();
  }

  void deactivate() {
    recorder->send(registry, actors::cl_deactivate_atom::value);
    sched.run();
  }

  std::size_t advance(caf::timespan d) {
    auto n = sched.advance_time(d);
    sched.run();
    return n;
  }

  /// Every cl_voice message the recorder got since the last call, in order.
  std::vector<voice_record> recorded() {
    std::vector<voice_record> out;
    for (bool more = true; more;)
      recorder->receive([&](actors::cl_voice_atom, voice_record& r) { out.push_back(std::move(r)); },
                        caf::after(0s) >> [&] { more = false; });
    return out;
  }

  caf::scoped_actor recorder;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(voice_registry_cluster, cluster_registry_fixture)

BOOST_AUTO_TEST_CASE(loaded_sessions_are_retained_with_their_clients) {
  load({{"1-0", {vc(5, 50), vc(6)}, false}, {"2", {}, false}});
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 2u);
  for (const auto& s : xs) {
    BOOST_TEST(!s.live, "key " << s.key);
    if (s.key == "1-0")
      BOOST_TEST((s.clients == std::vector<voice_client>{vc(5, 50), vc(6)}));
    else
      BOOST_TEST(s.clients.empty());
  }
  BOOST_TEST(metrics.voice_clients.value() == 2);
  // Loading writes nothing back: etcd already holds it.
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_CASE(a_loaded_session_resumes_with_its_clients_and_is_recorded_again) {
  load({{"1-0", {vc(5, 50), vc(6)}, false}});
  advance(299s);
  caf::scoped_actor conn{sys};
  auto c = claim("1-0", 10, conn);
  BOOST_TEST(c.resumed);
  BOOST_TEST((c.clients == std::vector<voice_client>{vc(5, 50), vc(6)}));
  // On this node's voice lease now.
  auto rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 1u);
  BOOST_TEST(rec[0].key == "1-0");
  BOOST_TEST(!rec[0].gone);
  BOOST_TEST((rec[0].clients == std::vector<voice_client>{vc(5, 50), vc(6)}));
  // The load's timeout finds the session live: it stays.
  advance(1s);
  BOOST_TEST(list().size() == 1u);
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_CASE(a_loaded_session_expires_after_vc_timeout_and_its_record_goes) {
  load({{"1-0", {vc(5)}, false}, {"3", {vc(7)}, false}});
  BOOST_TEST(advance(299s) == 0u);
  BOOST_TEST(list().size() == 2u);
  advance(1s);
  BOOST_TEST(list().empty());
  BOOST_TEST(metrics.voice_clients.value() == 0);
  auto rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 2u);
  for (const auto& r : rec) {
    BOOST_TEST(r.gone, "key " << r.key);
    BOOST_TEST(r.clients.empty());
  }
  caf::scoped_actor conn{sys};
  BOOST_TEST(!claim("1-0", 10, conn).resumed);
}

BOOST_AUTO_TEST_CASE(set_del_and_expiry_are_recorded) {
  load({});
  caf::scoped_actor conn{sys};
  BOOST_TEST(!claim("9", 10, conn).resumed);
  BOOST_TEST(recorded().empty()); // a new key has nothing to keep yet
  set("9", 10, vc(5, 50));
  set("9", 10, vc(6));
  auto rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 2u);
  BOOST_TEST((rec[1].clients == std::vector<voice_client>{vc(5, 50), vc(6)}));
  BOOST_TEST(!rec[1].gone);
  del("9", 10, 5);
  rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 1u);
  BOOST_TEST((rec[0].clients == std::vector<voice_client>{vc(6)}));
  BOOST_TEST(!rec[0].gone);
  // A set from a connection that does not own the key is no change.
  set("9", 99, vc(8));
  BOOST_TEST(recorded().empty());
  // Released: retained (still recorded as is), then gone at the timeout.
  release("9", 10);
  BOOST_TEST(recorded().empty());
  advance(300s);
  rec = recorded();
  BOOST_REQUIRE_EQUAL(rec.size(), 1u);
  BOOST_TEST(rec[0].key == "9");
  BOOST_TEST(rec[0].gone);
}

BOOST_AUTO_TEST_CASE(nothing_is_recorded_before_a_load) {
  caf::scoped_actor conn{sys};
  claim("9", 10, conn);
  set("9", 10, vc(5));
  release("9", 10);
  advance(300s);
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_CASE(deactivate_drops_every_session_and_stops_recording) {
  load({{"1", {vc(5), vc(6)}, false}});
  caf::scoped_actor conn{sys};
  claim("2", 10, conn);
  set("2", 10, vc(7));
  recorded();
  deactivate();
  BOOST_TEST(list().empty());
  BOOST_TEST(metrics.voice_clients.value() == 0);
  // A late message of the old connection and the old timers change nothing.
  set("2", 10, vc(8));
  release("2", 10);
  advance(300s);
  BOOST_TEST(list().empty());
  BOOST_TEST(recorded().empty());
  // After deactivate nothing is recorded, not even for a new key.
  claim("3", 11, conn);
  set("3", 11, vc(9));
  BOOST_TEST(recorded().empty());
}

BOOST_AUTO_TEST_CASE(a_second_load_keeps_what_is_already_there) {
  load({{"1", {vc(5)}, false}});
  load({{"1", {vc(6)}, false}, {"2", {vc(7)}, false}});
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 2u);
  for (const auto& s : xs)
    if (s.key == "1")
      BOOST_TEST((s.clients == std::vector<voice_client>{vc(5)}));
  BOOST_TEST(metrics.voice_clients.value() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
