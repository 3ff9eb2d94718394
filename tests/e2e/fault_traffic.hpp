#pragma once
// A stream of stored-state changes for the fault tests: writers on every path that changes
// stored state, each on its own thread and owning its keys, plus a companion session that
// records every broadcast; all of it in a ledger, checked after a restart by verify_keys.

#include "tests/e2e/fault_helpers.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace coord::test::fault {

/// The writers and the observer, started by the constructor:
/// - `settings_writers` threads PATCH prefix + djRoleId of 4 guilds each, in turn;
/// - one thread PUTs music on/off on 2 guilds;
/// - one thread PUTs a new supporter per step and DELETEs the previous one every third step;
/// - one dashboard session sends GUILD_SETTINGS_UPDATE for 2 guilds; its own echo (sent only
///   after the commit) is its acknowledgement, the only one this protocol has;
/// - one companion session records every op 2 / 10 / 11 it receives as committed.
/// Keys and values are unique to `round` (a guild or supporter id range of its own).
class change_stream {
public:
  change_stream(std::uint16_t port, int round, ledger& book, int settings_writers = 4);
  ~change_stream();
  change_stream(const change_stream&) = delete;
  change_stream& operator=(const change_stream&) = delete;

  /// Call just before the fault: from then on a failed request or a non-2xx answer ends its
  /// writer quietly (that write stays unacknowledged) instead of counting as an error.
  void fault_injected() { fault_ = true; }

  /// Waits for every thread to end: each ends at its first failed request or read once the
  /// node is gone.
  void join();

  /// What went wrong before the fault (must stay empty).
  std::vector<std::string> errors();
  /// Non-2xx answers after the fault, e.g. "PATCH 503" (they acknowledge nothing).
  std::vector<std::string> refusals();

  /// Close codes the observer and the dashboard saw (valid after join).
  std::optional<std::uint16_t> observer_close() const { return observer_.close_code(); }
  std::optional<std::uint16_t> dashboard_close() const { return dashboard_.ws.close_code(); }

private:
  void guard(const std::function<void()>& body);
  /// Records a bad answer: an error before the fault, a refusal after it.
  void bad_answer(const std::string& what, unsigned status, const std::string& body);
  void settings_writer(int w);
  void music_toggler();
  void supporter_writer();
  void gateway_settings_writer();
  void observe();

  std::uint16_t port_;
  int round_;
  ledger& book_;
  ws_client observer_;
  gateway_client dashboard_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> fault_{false};
  std::mutex mtx_;
  std::vector<std::string> errors_, refusals_;
  std::vector<std::thread> threads_;
};

/// Reads every key of `book` from node `port` and checks it (ledger::check), failing the test
/// for each lost change; returns what it read, key -> value.
std::map<std::string, std::string> verify_keys(std::uint16_t port, ledger& book,
                                               const std::string& what);

/// The value of `key` (a ledger key: guild:, music: or sup:) as node `port` has it now.
std::string read_key(std::uint16_t port, const std::string& key);

} // namespace coord::test::fault
