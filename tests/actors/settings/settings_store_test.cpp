// The guild-settings store actor: commit first, then broadcast; a failed commit changes
// nothing and broadcasts nothing; reads never wait behind a write.

#include "tests/actors/fixture.hpp"

#include "actors/broker/publish.hpp"
#include "actors/settings/settings_store.hpp"
#include "actors/settings/settings_writer.hpp"
#include "proto/companion_codec.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <sqlite3.h>

#include <deque>
#include <filesystem>
#include <random>

using namespace coord;
using namespace coord::test;

namespace {

/// A store actor on a real SQLite file whose broker is the test's scoped actor.
struct store_fixture : actor_fixture {
  store_fixture() {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("coord-store-actor-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    start();
  }
  ~store_fixture() {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    sched.run();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void start() {
    auto repo = std::make_shared<store::settings_repository>((dir / "s.db").string());
    auto writer = sys.spawn(actors::settings_writer, repo, &metrics);
    store = sys.spawn(actors::settings_store, writer, actors::load_snapshot(*repo),
                      std::string{"!"}, caf::actor_cast<actors::change_sink_actor>(self), &metrics);
  }
  void restart() {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    sched.run();
    start();
  }

  /// Asks the store and returns its answer of type R, or the error it answered with.
  template <class R, class... Ts>
  caf::expected<R> ask(Ts... xs) {
    auto handle = self->request(store, caf::infinite, xs...);
    sched.run();
    caf::expected<R> out{caf::sec::request_timeout};
    handle.receive([&](const R& r) { out = r; }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  /// The companion broadcasts of what the store published to its broker so far.
  std::vector<std::string> broadcasts() {
    std::vector<std::string> out;
    for (bool more = true; more;)
      self->receive(
        [&](actors::publish_atom, const actors::settings_changed& c) {
          for (auto& m : actors::encode_change(c))
            out.push_back(*m.companion);
        },
        [&](actors::publish_atom, const actors::supporter_changed& c) {
          out.push_back(*actors::encode_change(c).companion);
        },
      caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return out;
  }

  /// Makes every later write to guild_settings fail, through a second connection.
  void break_writes() {
    sqlite3* db = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_open((dir / "s.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    auto rc = sqlite3_exec(db,
                           "CREATE TRIGGER no_insert BEFORE INSERT ON guild_settings "
                           "BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
                           nullptr, nullptr, &err);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, (err ? err : "?"));
    sqlite3_close(db);
  }

  std::filesystem::path dir;
  actors::settings_store_actor store;
};

proto::admin::settings_patch prefix_patch(std::string p) {
  proto::admin::settings_patch patch;
  patch.prefix = std::move(p);
  return patch;
}

/// test -> fake writer: answer the oldest held commit (true: committed, false: failed).
using release_atom = caf::atom_constant<caf::atom("cd_trel")>;

/// A writer that holds every commit until the test releases it, as a slow fsync would.
caf::behavior held_writer(caf::stateful_actor<std::deque<caf::response_promise>>* self,
                          std::size_t* held) {
  return {
    [=](actors::store_save_atom, const proto::guild_settings&) {
      self->state.push_back(self->make_response_promise());
      ++*held;
      return self->state.back();
    },
    [=](release_atom, bool ok) {
      auto rp = self->state.front();
      self->state.pop_front();
      if (ok)
        rp.deliver(true);
      else
        rp.deliver(actors::make_coord_error(actors::coord_errc::store_failed, "disk says no"));
    },
  };
}

/// The store's front on a held writer.
struct held_writer_fixture : store_fixture {
  held_writer_fixture() {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    sched.run();
    writer = sys.spawn(held_writer, &held);
    // The fake writer answers only store_save_atom (dynamically typed: an unchecked cast).
    store = sys.spawn(actors::settings_store, caf::actor_cast<actors::settings_writer_actor>(writer),
                      actors::settings_snapshot{"held", {}, {}}, std::string{"!"},
                      caf::actor_cast<actors::change_sink_actor>(self), &metrics);
    sched.run();
  }
  void release(bool ok) {
    caf::anon_send(writer, release_atom::value, ok);
    sched.run();
  }
  caf::actor writer;
  std::size_t held = 0; ///< commits the writer was asked for
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(settings_store, store_fixture)

BOOST_AUTO_TEST_CASE(patch_commits_then_broadcasts_op2) {
  auto reply = ask<proto::guild_settings>(actors::settings_set_atom::value, std::uint64_t{5},
                                           prefix_patch("?"));
  BOOST_REQUIRE(reply);
  BOOST_TEST(reply->prefix == "?");
  auto sent = broadcasts();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  proto::guild_settings expected;
  expected.guild_id = 5;
  expected.prefix = "?";
  BOOST_TEST(sent[0] == proto::companion::encode_guild_settings(expected));
  BOOST_TEST(metrics.store_commits.value() == 1u);
  // It is on disk: a new store actor on the same file reads it back.
  restart();
  auto again = ask<proto::guild_settings>(actors::settings_get_atom::value, std::uint64_t{5});
  BOOST_REQUIRE(again);
  BOOST_TEST(again->prefix == "?");
}

BOOST_AUTO_TEST_CASE(a_burst_of_op2_requests_shows_as_its_mailbox_peak) {
  auto peak = [this] {
    auto s = ask<actors::actor_summary>(actors::inspect_atom::value);
    BOOST_REQUIRE(s);
    for (auto& [k, v] : s->fields)
      if (k == "mailbox_peak")
        return std::stoul(v);
    BOOST_FAIL("no mailbox_peak field");
    return 0ul;
  };
  BOOST_TEST(peak() == 0u);
  // One at a time: nothing ever waits behind a request.
  caf::anon_send(store, actors::guild_req_atom::value, std::uint64_t{5});
  sched.run();
  BOOST_TEST(peak() == 0u);
  // 40 queued before the store runs: the first one handled sees the other 39 waiting.
  for (int i = 0; i < 40; ++i)
    caf::anon_send(store, actors::guild_req_atom::value, std::uint64_t{5});
  sched.run();
  BOOST_TEST(peak() == 39u);
  BOOST_TEST(broadcasts().size() == 41u);
}

BOOST_AUTO_TEST_CASE(music_toggle_broadcasts_op3_only) {
  BOOST_REQUIRE(ask<proto::guild_settings>(actors::music_set_atom::value, std::uint64_t{5}, false));
  auto sent = broadcasts();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0] == proto::companion::encode_music_toggle(5, false));
}

BOOST_AUTO_TEST_CASE(failed_commit_answers_an_error_and_broadcasts_nothing) {
  BOOST_REQUIRE(ask<proto::guild_settings>(actors::settings_set_atom::value, std::uint64_t{5},
                                           prefix_patch("a")));
  broadcasts();
  break_writes();
  auto reply = ask<proto::guild_settings>(actors::settings_set_atom::value, std::uint64_t{5},
                                           prefix_patch("b"));
  BOOST_REQUIRE(!reply);
  BOOST_TEST(reply.error().category() == caf::atom("coord"));
  BOOST_TEST(broadcasts().empty());
  BOOST_TEST(metrics.store_commit_failures.value() == 1u);
  // Nothing changed in memory either.
  auto now = ask<proto::guild_settings>(actors::settings_get_atom::value, std::uint64_t{5});
  BOOST_TEST(now->prefix == "a");
}

BOOST_AUTO_TEST_CASE(supporters_add_once_remove_once) {
  BOOST_TEST(ask<bool>(actors::supporter_add_atom::value, std::uint64_t{7}).value() == true);
  BOOST_TEST(ask<bool>(actors::supporter_add_atom::value, std::uint64_t{7}).value() == false);
  BOOST_TEST(ask<bool>(actors::supporter_del_atom::value, std::uint64_t{7}).value() == true);
  BOOST_TEST(ask<bool>(actors::supporter_del_atom::value, std::uint64_t{7}).value() == false);
  auto sent = broadcasts();
  BOOST_REQUIRE_EQUAL(sent.size(), 2u);
  BOOST_TEST(sent[0] == proto::companion::encode_supporter_added(7));
  BOOST_TEST(sent[1] == proto::companion::encode_supporter_removed(7));
}

BOOST_AUTO_TEST_CASE(handshake_attaches_with_reply_in_request_order) {
  BOOST_REQUIRE(ask<proto::guild_settings>(actors::settings_set_atom::value, std::uint64_t{2},
                                           prefix_patch("x")));
  broadcasts();
  self->send(store, actors::handshake_atom::value, std::uint64_t{9},
             std::vector<std::uint64_t>{3, 2});
  sched.run();
  bool attached = false;
  self->receive(
    [&](actors::attach_atom, const actors::handshake_snapshot& h) {
      attached = true;
      BOOST_TEST(h.session == 9u);
      auto reply = actors::encode_handshake(h);
      proto::guild_settings a, b;
      a.guild_id = 3;
      a.prefix = "!";
      b.guild_id = 2;
      b.prefix = "x";
      BOOST_TEST(*reply == proto::companion::encode_handshake_reply({}, {a, b}));
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  BOOST_TEST(attached);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(settings_store_front, held_writer_fixture)

BOOST_AUTO_TEST_CASE(a_read_is_answered_while_a_write_is_pending) {
  auto write = self->request(store, caf::infinite, actors::settings_set_atom::value,
                             std::uint64_t{5}, prefix_patch("?"));
  sched.run();
  BOOST_REQUIRE_EQUAL(held, 1u); // at the writer, not committed
  // GET, op 2, op 1 and the supporters answer at once, with what is committed.
  auto now = ask<proto::guild_settings>(actors::settings_get_atom::value, std::uint64_t{5});
  BOOST_REQUIRE(now);
  BOOST_TEST(now->prefix == "!");
  BOOST_TEST(ask<std::vector<std::uint64_t>>(actors::supporters_atom::value).value().empty());
  caf::anon_send(store, actors::guild_req_atom::value, std::uint64_t{5});
  sched.run();
  proto::guild_settings before;
  before.guild_id = 5;
  before.prefix = "!";
  auto sent = broadcasts();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u); // the op 2 answer; the change is not published yet
  BOOST_TEST(sent[0] == proto::companion::encode_guild_settings(before));
  // The commit lands: the change is published, then acknowledged.
  release(true);
  bool acked = false;
  write.receive([&](const proto::guild_settings& s) { acked = s.prefix == "?"; },
                [&](caf::error&) {});
  BOOST_TEST(acked);
  auto after = before;
  after.prefix = "?";
  sent = broadcasts();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0] == proto::companion::encode_guild_settings(after));
  BOOST_TEST(ask<proto::guild_settings>(actors::settings_get_atom::value, std::uint64_t{5})
               ->prefix == "?");
}

BOOST_AUTO_TEST_CASE(a_failed_commit_publishes_nothing) {
  auto write = self->request(store, caf::infinite, actors::settings_set_atom::value,
                             std::uint64_t{5}, prefix_patch("?"));
  sched.run();
  BOOST_REQUIRE_EQUAL(held, 1u);
  release(false);
  std::optional<caf::error> failed;
  write.receive([&](const proto::guild_settings&) {}, [&](caf::error& e) { failed = e; });
  BOOST_REQUIRE(failed);
  BOOST_TEST(failed->category() == caf::atom("coord"));
  BOOST_TEST(broadcasts().empty());
  BOOST_TEST(ask<proto::guild_settings>(actors::settings_get_atom::value, std::uint64_t{5})
               ->prefix == "!");
}

BOOST_AUTO_TEST_CASE(writes_to_a_guild_commit_one_at_a_time_in_order) {
  auto first = self->request(store, caf::infinite, actors::settings_set_atom::value,
                             std::uint64_t{5}, prefix_patch("a"));
  auto second = self->request(store, caf::infinite, actors::music_set_atom::value,
                              std::uint64_t{5}, false);
  sched.run();
  BOOST_REQUIRE_EQUAL(held, 1u); // the second waits for the first's answer
  release(true);
  BOOST_REQUIRE_EQUAL(held, 2u);
  release(true);
  std::string prefix;
  bool music = true;
  first.receive([](const proto::guild_settings&) {}, [](caf::error&) {});
  second.receive(
    [&](const proto::guild_settings& s) {
      prefix = s.prefix;
      music = s.music_enabled;
    },
    [](caf::error&) {});
  // The second write applied to what the first committed.
  BOOST_TEST(prefix == "a");
  BOOST_TEST(!music);
  BOOST_TEST(broadcasts().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
