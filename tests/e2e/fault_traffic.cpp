#include "tests/e2e/fault_traffic.hpp"

namespace coord::test::fault {

namespace json = boost::json;

namespace {

constexpr std::uint64_t guilds_per_writer = 4;
constexpr int music_writer = 8;   // the writer number whose guilds the music writer owns
constexpr int gateway_writer = 9; // the same for the gateway writer

/// A guild id that belongs to `writer` in `round` only.
std::uint64_t guild_of(int round, int writer, std::uint64_t slot) {
  return 1'000'000 + static_cast<std::uint64_t>(round) * 1000
         + static_cast<std::uint64_t>(writer) * 10 + slot;
}

/// A supporter id that belongs to `round` only.
std::uint64_t supporter_of(int round, std::uint64_t n) {
  return 5'000'000 + static_cast<std::uint64_t>(round) * 10'000 + n;
}

} // namespace

change_stream::change_stream(std::uint16_t port, int round, ledger& book, int settings_writers)
  : port_(port), round_(round), book_(book), observer_(port, "/companion"),
    dashboard_(port, "dashboard") {
  companion_handshake(observer_);
  for (int w = 0; w < settings_writers; ++w)
    threads_.emplace_back([this, w] { guard([&] { settings_writer(w); }); });
  threads_.emplace_back([this] { guard([&] { music_toggler(); }); });
  threads_.emplace_back([this] { guard([&] { supporter_writer(); }); });
  threads_.emplace_back([this] { guard([&] { gateway_settings_writer(); }); });
  threads_.emplace_back([this] { guard([&] { observe(); }); });
}

change_stream::~change_stream() {
  if (!threads_.empty()) {
    fault_ = true; // a test that failed early: let the threads go without more errors
    join();
  }
}

void change_stream::join() {
  stop_ = true;
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

std::vector<std::string> change_stream::errors() {
  std::lock_guard lock(mtx_);
  return errors_;
}

std::vector<std::string> change_stream::refusals() {
  std::lock_guard lock(mtx_);
  return refusals_;
}

void change_stream::guard(const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    // A request to a node that is gone throws: that write stays unacknowledged.
    if (!fault_) {
      std::lock_guard lock(mtx_);
      errors_.push_back(std::string("before the fault: ") + e.what());
    }
  }
}

void change_stream::bad_answer(const std::string& what, unsigned status, const std::string& body) {
  std::lock_guard lock(mtx_);
  if (fault_)
    refusals_.push_back(what + " " + std::to_string(status));
  else
    errors_.push_back(what + " answered " + std::to_string(status) + " " + body);
}

void change_stream::settings_writer(int w) {
  for (std::uint64_t seq = 0; !stop_; ++seq) {
    auto guild = std::to_string(guild_of(round_, w, seq % guilds_per_writer));
    auto prefix = "r" + std::to_string(round_) + "w" + std::to_string(w) + "s"
                  + std::to_string(seq);
    book_.begin("guild:" + guild, settings_value(prefix, seq + 1), settings_value("!", 0));
    auto r = admin(port_, "PATCH", "/api/v1/guilds/" + guild + "/settings",
                   R"({"prefix":")" + prefix + R"(","djRoleId":")" + std::to_string(seq + 1)
                     + R"("})");
    if (r.status != 200)
      return bad_answer("PATCH", r.status, r.body);
    book_.ack("guild:" + guild);
  }
}

void change_stream::music_toggler() {
  // Each of the two guilds flips on every write to it, false first (the default is true).
  for (std::uint64_t seq = 0; !stop_; ++seq) {
    auto guild = std::to_string(guild_of(round_, music_writer, seq % 2));
    bool enable = (seq / 2) % 2 == 1;
    book_.begin("music:" + guild, enable ? "true" : "false", "true");
    auto r = admin(port_, "PUT", "/api/v1/guilds/" + guild + "/music",
                   std::string{R"({"enable":)"} + (enable ? "true" : "false") + "}");
    if (r.status != 200)
      return bad_answer("PUT music", r.status, r.body);
    book_.ack("music:" + guild);
  }
}

void change_stream::supporter_writer() {
  auto write = [&](std::uint64_t id, bool add) {
    auto key = "sup:" + std::to_string(id);
    book_.begin(key, add ? "1" : "0", "0");
    auto r = admin(port_, add ? "PUT" : "DELETE", "/api/v1/supporters/" + std::to_string(id));
    // A new id is added (201); a present one is removed (200).
    if (r.status != (add ? 201u : 200u)) {
      bad_answer(add ? "PUT supporter" : "DELETE supporter", r.status, r.body);
      return false;
    }
    book_.ack(key);
    return true;
  };
  for (std::uint64_t n = 0; !stop_; ++n) {
    if (!write(supporter_of(round_, n), true))
      return;
    if (n % 3 == 2 && !write(supporter_of(round_, n - 1), false))
      return;
  }
}

void change_stream::gateway_settings_writer() {
  for (std::uint64_t seq = 0; !stop_; ++seq) {
    auto guild = std::to_string(guild_of(round_, gateway_writer, seq % 2));
    auto prefix = "r" + std::to_string(round_) + "g" + std::to_string(seq);
    auto key = "guild:" + guild;
    book_.begin(key, settings_value(prefix, seq + 1), settings_value("!", 0));
    dashboard_.send(2,
                    {{"guildId", guild}, {"prefix", prefix}, {"djRoleId", std::to_string(seq + 1)}},
                    "GUILD_SETTINGS_UPDATE");
    for (;;) {
      auto m = dashboard_.next();
      if (!m) {
        if (!fault_) {
          std::lock_guard lock(mtx_);
          errors_.push_back("no echo of GUILD_SETTINGS_UPDATE " + guild + " within 5 s");
        }
        return;
      }
      if (m->at("op").as_int64() != 2 || m->at("t").as_string() != "GUILD_SETTINGS_UPDATE")
        continue;
      auto& d = m->at("d").as_object();
      if (d.at("guildId").as_string() == guild && d.at("prefix").as_string() == prefix)
        break;
    }
    book_.ack(key);
  }
}

void change_stream::observe() {
  while (!observer_.closed()) {
    auto m = observer_.read(std::chrono::milliseconds(200));
    if (!m && stop_)
      return; // nothing more in the socket, and the node is gone
    if (!m)
      continue;
    auto o = json::parse(m->data).as_object();
    auto op = o.at("op").as_int64();
    if (op == 2)
      book_.observe("guild:" + std::to_string(json::value_to<std::uint64_t>(o.at("guildId"))),
                    settings_value(std::string(o.at("prefix").as_string()),
                                   json::value_to<std::uint64_t>(o.at("djRoleId"))));
    else if (op == 10 || op == 11)
      book_.observe("sup:" + std::to_string(json::value_to<std::uint64_t>(o.at("supporterId"))),
                    op == 10 ? "1" : "0");
  }
}

std::string read_key(std::uint16_t port, const std::string& key) {
  auto colon = key.find(':');
  auto kind = key.substr(0, colon);
  auto id = key.substr(colon + 1);
  if (kind == "sup")
    return supporter_set(port).count(id) ? "1" : "0";
  auto g = body_json(admin(port, "GET", "/api/v1/guilds/" + id + "/settings"));
  if (kind == "music")
    return g.at("musicEnabled").as_bool() ? "true" : "false";
  return settings_value(g);
}

std::map<std::string, std::string> verify_keys(std::uint16_t port, ledger& book,
                                               const std::string& what) {
  std::map<std::string, std::string> found;
  for (auto& key : book.keys("guild:"))
    found[key] = read_key(port, key);
  for (auto& key : book.keys("music:"))
    found[key] = read_key(port, key);
  auto supporters = supporter_set(port);
  for (auto& key : book.keys("sup:"))
    found[key] = supporters.count(key.substr(4)) ? "1" : "0";
  for (auto& [key, value] : found) {
    auto problem = book.check(key, value);
    BOOST_TEST(problem.empty(), what << ": LOST " << problem);
  }
  auto stray = book.stray();
  BOOST_TEST(stray.empty(), what << ": broadcast of a value never written: "
                                 << (stray.empty() ? "" : stray.front()));
  return found;
}

} // namespace coord::test::fault
