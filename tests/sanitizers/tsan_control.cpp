// The ThreadSanitizer presets' control: proof that a TSan run of this tree can fail, and of
// what it can see of CAF. Built only under -fsanitize=thread (tests/CMakeLists.txt).
//
//   tsan_control         an actor receives a std::string by message and changes it: no race
//                        (CAF's mailbox orders the hand-over). Must exit 0. Against Debian's
//                        uninstrumented CAF, TSan reports this one falsely (at the spawn).
//   tsan_control race    two actors increment one plain int: a data race. TSan must report
//                        it; ctest looks for the report. The two are detached (a thread each)
//                        and meet at a barrier before writing, so nothing orders the writes
//                        (on CAF's workers, one thread may run both, one after the other).

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/spawn_options.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace {

int shared_counter = 0;          // written by two actors without synchronisation: the race
std::atomic<int> arrived{0};     // both actors are in their handler before either writes

caf::behavior bumper(caf::event_based_actor*) {
  return {[](int n) {
    // The last synchronisation of each actor before its write is this barrier, which orders
    // neither write before the other: TSan reports the race whatever the timing.
    arrived.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (arrived.load() < 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    for (int i = 0; i < n; ++i)
      ++shared_counter;
    return n;
  }};
}

caf::behavior keeper(caf::event_based_actor*) {
  return {[](std::string& s) {
    s += "!";
    return s.size();
  }};
}

} // namespace

int main(int argc, char** argv) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 4);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto k = sys.spawn(keeper);
  std::size_t got = 0;
  self->request(k, caf::infinite, std::string(100, 'x'))
    .receive([&](std::size_t n) { got = n; }, [](caf::error&) {});
  if (argc > 1 && std::strcmp(argv[1], "race") == 0) {
    auto a = sys.spawn<caf::detached>(bumper);
    auto b = sys.spawn<caf::detached>(bumper);
    self->send(a, 100000);
    self->send(b, 100000);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    self->send_exit(a, caf::exit_reason::kill);
    self->send_exit(b, caf::exit_reason::kill);
  }
  self->send_exit(k, caf::exit_reason::kill);
  return got == 101 ? 0 : 1;
}
