// The service directory on the deterministic coordinator (GET /services, SPEC.md §4.8): what
// the broker and the gateway sessions tell it, and the list it answers.

#include "tests/actors/fixture.hpp"

#include "actors/broker/service_directory.hpp"
#include "proto/gateway_codec.hpp"

#include <boost/test/unit_test.hpp>

using namespace coord;
using namespace coord::test;
using namespace std::chrono_literals;
namespace gw = proto::gateway;

namespace {

constexpr auto sharder = static_cast<std::uint8_t>(gw::service_type::sharder);
constexpr auto commands = static_cast<std::uint8_t>(gw::service_type::commands);

struct directory_fixture : actor_fixture {
  directory_fixture() {
    directory = sys.spawn(actors::service_directory, test_wall_clock(1000));
    track(directory);
    sched.run();
  }

  std::vector<actors::service_info> list() {
    return ask<std::vector<actors::service_info>>(directory, actors::services_atom::value);
  }

  template <class... Ts>
  void tell(Ts... xs) {
    caf::anon_send(directory, xs...);
    sched.run();
  }

  actors::service_directory_actor directory;
};

using shards = std::vector<std::uint32_t>;

} // namespace

BOOST_FIXTURE_TEST_SUITE(service_directory, directory_fixture)

BOOST_AUTO_TEST_CASE(an_identified_session_is_listed_with_its_start_time_and_shards) {
  sched.advance_time(5s);
  tell(actors::service_up_atom::value, std::uint64_t{7}, sharder, shards{0, 1});
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(xs[0].id == 7u);
  BOOST_TEST((xs[0].type == gw::service_type::sharder));
  BOOST_TEST(xs[0].start_time_ms == 6000); // the wall clock: 1000 ms + the 5 s moved
  BOOST_REQUIRE(xs[0].shards.has_value());
  BOOST_TEST((*xs[0].shards == shards{0, 1}));
  BOOST_TEST(xs[0].heap_used == 0u);
  BOOST_TEST(!xs[0].guilds.has_value());
}

BOOST_AUTO_TEST_CASE(only_sharders_show_shards) {
  tell(actors::service_up_atom::value, std::uint64_t{8}, commands, shards{});
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(!xs[0].shards.has_value());
}

BOOST_AUTO_TEST_CASE(the_last_heartbeat_shows_even_when_it_came_before_the_broker_said_up) {
  // The session's heartbeat and the broker's service_up come from different actors.
  tell(actors::gw_hb_atom::value, std::uint64_t{7}, std::uint64_t{10}, std::int64_t{3});
  BOOST_TEST(list().empty()); // not listed before the broker says so
  tell(actors::service_up_atom::value, std::uint64_t{7}, sharder, shards{0});
  tell(actors::gw_hb_atom::value, std::uint64_t{7}, std::uint64_t{99}, std::int64_t{-1});
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST(xs[0].heap_used == 99u);
  BOOST_TEST(!xs[0].guilds.has_value()); // -1: the heartbeat carried no guilds
}

BOOST_AUTO_TEST_CASE(shards_change_and_a_session_that_ends_is_forgotten) {
  tell(actors::service_up_atom::value, std::uint64_t{7}, sharder, shards{0});
  tell(actors::gw_shards_atom::value, std::uint64_t{7}, shards{0, 3});
  tell(actors::gw_shards_atom::value, std::uint64_t{9}, shards{1}); // unknown: nothing
  auto xs = list();
  BOOST_REQUIRE_EQUAL(xs.size(), 1u);
  BOOST_TEST((*xs[0].shards == shards{0, 3}));
  tell(actors::gw_hb_atom::value, std::uint64_t{7}, std::uint64_t{10}, std::int64_t{3});
  tell(actors::service_down_atom::value, std::uint64_t{7});
  BOOST_TEST(list().empty());
  // Its heartbeat went with it: an id seen again starts empty.
  tell(actors::service_up_atom::value, std::uint64_t{7}, sharder, shards{0});
  BOOST_TEST(list().at(0).heap_used == 0u);
}

BOOST_AUTO_TEST_CASE(it_describes_itself_to_the_console) {
  tell(actors::service_up_atom::value, std::uint64_t{7}, sharder, shards{0});
  auto s = ask<actors::actor_summary>(directory, actors::inspect_atom::value);
  BOOST_TEST(s.name == "service_directory");
  BOOST_REQUIRE_EQUAL(s.fields.size(), 1u);
  BOOST_TEST(s.fields[0].second == "1");
}

BOOST_AUTO_TEST_SUITE_END()
