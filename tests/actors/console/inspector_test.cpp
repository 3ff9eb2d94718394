// The inspector actor: console commands answered by asking the broker, store and stats, on
// the deterministic coordinator with a fake console connection.

#include "tests/actors/fixture.hpp"

#include "actors/broker/broker.hpp"
#include "actors/companion/companion_session.hpp"
#include "actors/console/inspector.hpp"
#include "actors/companion/shard_stats.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/event_based_actor.hpp>

using namespace coord;
using namespace coord::test;

namespace {

/// One console connection's auth bit, shared by the replies of its lines.
struct fake_console {
  bool authenticated = false;
};

/// Records the answer to one line.
class fake_reply final : public ports::console_reply {
public:
  explicit fake_reply(std::shared_ptr<fake_console> c) : console_(std::move(c)) {}
  void answer(std::string text) override {
    if (!text_)
      text_ = std::move(text);
  }
  void answer_and_close(std::string text) override {
    if (!text_) {
      text_ = std::move(text);
      closed_ = true;
    }
  }
  bool authenticated() const noexcept override { return console_->authenticated; }
  void set_authenticated() noexcept override { console_->authenticated = true; }
  const std::string& remote_address() const noexcept override { return remote_; }
  const std::string& listener_address() const noexcept override { return listener_; }

  const std::optional<std::string>& text() const { return text_; }
  bool closed() const { return closed_; }

private:
  std::shared_ptr<fake_console> console_;
  std::optional<std::string> text_;
  bool closed_ = false;
  std::string remote_ = "127.0.0.1:9";
  std::string listener_ = "127.0.0.1:7701";
};

/// A store that answers the inspector's questions from fixed data. (It takes an argument:
/// CAF 0.17 binds a null tuple for function actors without one, which UBSan reports.)
caf::behavior fake_store(caf::event_based_actor* self, std::string path) {
  return {
    [](actors::settings_get_atom, std::uint64_t guild) {
      proto::guild_settings s;
      s.guild_id = guild;
      s.prefix = "?";
      s.dj_role_id = 5;
      return s;
    },
    [](actors::supporters_atom) { return std::vector<std::uint64_t>{9, 3}; },
    [path](actors::store_counts_atom) { return actors::store_counts{path, 1, 2}; },
    [self](actors::inspect_atom) { return actors::summarize(self, {{"guilds", "1"}}); },
  };
}

struct inspector_fixture : actor_fixture {
  explicit inspector_fixture(std::string password = {}, bool silent_store = false) {
    broker = track(sys.spawn(actors::broker, &metrics));
    stats = track(sys.spawn(actors::shard_stats, caf::timespan{std::chrono::seconds(90)}, &metrics,
                          actors::wall_clock{}));
    store = silent_store ? caf::actor{self} : track(sys.spawn(fake_store, std::string{"s.db"}));
    actors::inspector_deps deps;
    deps.version = "1.2.3";
    deps.http_address = "127.0.0.1:7700";
    deps.password = std::move(password);
    deps.broker = broker;
    // fake_store and the silent scoped actor are dynamically typed: an unchecked cast.
    deps.store = caf::actor_cast<actors::settings_store_actor>(store);
    deps.stats = stats;
    deps.actors = {caf::actor_cast<actors::inspectable_actor>(broker),
                   caf::actor_cast<actors::inspectable_actor>(store),
                   caf::actor_cast<actors::inspectable_actor>(stats)};
    deps.metrics = &metrics;
    inspector = track(sys.spawn(actors::inspector, std::move(deps)));
    sched.run();
  }

  ~inspector_fixture() {
    for (auto& s : sinks)
      s->on_closed(1006);
    sched.run();
  }

  /// Sends one line on `console` and returns the reply once every message is delivered.
  std::shared_ptr<fake_reply> line(std::string text,
                                   std::shared_ptr<fake_console> console = nullptr) {
    if (!console)
      console = std::make_shared<fake_console>();
    auto r = std::make_shared<fake_reply>(console);
    caf::anon_send(inspector, actors::console_atom::value, std::move(text),
                   actors::console_reply_ptr{r});
    sched.run();
    return r;
  }

  /// The answer text of one line (empty when none yet).
  std::string ask(std::string text) { return line(std::move(text))->text().value_or(""); }

  std::shared_ptr<fake_connection> open_companion(std::uint64_t id) {
    auto conn = std::make_shared<fake_connection>(id, ports::dialect::companion);
    // The scoped actor stands in for the store: dynamically typed, so an unchecked cast.
    actors::companion_deps deps{"k", 0, broker, caf::actor_cast<actors::settings_store_actor>(self),
                                stats, &metrics};
    sinks.push_back(actors::open_companion_session(sys, conn, deps));
    sched.run();
    return conn;
  }

  actors::broker_actor broker;
  caf::actor store;
  actors::shard_stats_actor stats;
  actors::inspector_actor inspector;
  std::vector<std::shared_ptr<ports::session_sink>> sinks;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct password_fixture : inspector_fixture {
  password_fixture() : inspector_fixture("pw") {}
};

struct silent_store_fixture : inspector_fixture {
  silent_store_fixture() : inspector_fixture({}, true) {}
};

} // namespace

BOOST_AUTO_TEST_SUITE(inspector)

BOOST_FIXTURE_TEST_CASE(unknown_command_is_one_err_line, inspector_fixture) {
  auto text = ask("frobnicate");
  BOOST_TEST(text.rfind("ERR ", 0) == 0u);
  BOOST_TEST(text.find('\n') == std::string::npos);
  BOOST_TEST(ask("kick 1 2000").rfind("ERR ", 0) == 0u);
}

BOOST_FIXTURE_TEST_CASE(quit_answers_bye_and_closes, inspector_fixture) {
  auto r = line("quit");
  BOOST_TEST(r->text().value_or("") == "bye");
  BOOST_TEST(r->closed());
}

BOOST_FIXTURE_TEST_CASE(info_gathers_from_broker_store_and_stats, inspector_fixture) {
  auto text = ask("info");
  BOOST_TEST(contains(text, "# Server\ncoordinator_version:1.2.3\n"));
  BOOST_TEST(contains(text, "console_listener:127.0.0.1:7701\n"));
  BOOST_TEST(contains(text, "store_path:s.db\nstored_guilds:1\nsupporters:2\n"));
  BOOST_TEST(contains(text, "# Music\nmusic_playing:0\n"));
  BOOST_TEST(ask("info nope").rfind("ERR ", 0) == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_store_that_does_not_answer_is_left_out_after_the_timeout,
                        silent_store_fixture) {
  auto r = line("info store");
  BOOST_TEST(!r->text()); // still waiting for the store
  sched.trigger_timeouts();
  sched.run();
  BOOST_TEST(contains(r->text().value_or(""), "store_answered:no"));
  auto g = line("guild 1");
  sched.trigger_timeouts();
  sched.run();
  BOOST_TEST(g->text().value_or("") == "ERR guild_settings_store did not answer");
}

BOOST_FIXTURE_TEST_CASE(guild_and_supporters_come_from_the_store, inspector_fixture) {
  auto g = ask("guild 77");
  BOOST_TEST(contains(g, "guild_id:77\nprefix:?\ndj_role_id:5\n"));
  BOOST_TEST(ask("supporters") == "supporters:2\n3\n9\n");
}

BOOST_FIXTURE_TEST_CASE(sessions_session_and_kick_go_through_the_broker, inspector_fixture) {
  auto conn = open_companion(5);
  auto list = ask("sessions");
  BOOST_TEST(contains(list, "sessions:1\nid=5 dialect=companion state=connected remote=127.0.0.1:1 "));
  BOOST_TEST(ask("sessions voice") == "sessions:0\n");
  auto one = ask("session 5");
  BOOST_TEST(contains(one, "id:5\ndialect:companion\n"));
  BOOST_TEST(contains(one, "actor:companion_session\n"));
  BOOST_TEST(contains(one, "state:connected\n"));
  BOOST_TEST(contains(one, "last_heartbeat_ms_ago:never\n"));
  BOOST_TEST(ask("session 6") == "ERR no session 6");
  BOOST_TEST(ask("kick 6") == "ERR no session 6");
  BOOST_TEST(ask("kick 5 4321") == "OK");
  BOOST_REQUIRE(conn->closed);
  BOOST_TEST(conn->closed->first == 4321);
}

BOOST_FIXTURE_TEST_CASE(actors_lists_every_actor_with_its_mailbox, inspector_fixture) {
  open_companion(8);
  auto text = ask("actors");
  BOOST_TEST(text.rfind("actors:5\nname=inspector id=", 0) == 0u, text);
  for (auto name : {"name=broker ", "name=shard_stats ", "name=companion_session "})
    BOOST_TEST(contains(text, name), name);
  BOOST_TEST(contains(text, " mailbox=0 sessions=1 "));
  BOOST_TEST(contains(text, " state=connected "));
}

BOOST_FIXTURE_TEST_CASE(with_a_password_every_command_needs_auth_first, password_fixture) {
  auto console = std::make_shared<fake_console>();
  BOOST_TEST(line("info", console)->text().value_or("").rfind("ERR authentication required", 0)
             == 0u);
  BOOST_TEST(line("help", console)->text().value_or("").rfind("ERR ", 0) == 0u);
  auto bad = line("auth nope", console);
  BOOST_TEST(bad->text().value_or("") == "ERR invalid password");
  BOOST_TEST(bad->closed());
  BOOST_TEST(line("auth pw", console)->text().value_or("") == "OK");
  BOOST_TEST(line("sessions", console)->text().value_or("") == "sessions:0\n");
  // Another connection is not authenticated by the first one's auth.
  BOOST_TEST(line("sessions")->text().value_or("").rfind("ERR ", 0) == 0u);
  BOOST_TEST(line("quit")->text().value_or("") == "bye");
}

BOOST_FIXTURE_TEST_CASE(auth_without_a_password_is_an_error, inspector_fixture) {
  BOOST_TEST(ask("auth x").rfind("ERR ", 0) == 0u);
  BOOST_TEST(ask("help").rfind("help ", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
