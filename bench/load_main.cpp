// load: a loopback load generator for a RUNNING coordinator, one io thread.
//
//   load --port P --scenario connect|fanout|burst|route|mixed|slow|storm [options]
//        (load --help lists every option)
//
// Scenarios: S1 connect, S2 fanout, S3 burst, S6 slow and S7 storm drive the companion
// dialect (/companion); S4 route drives the gateway dialect (/gateway: sharders send
// EXECUTE_COMMAND, commands workers receive it); S5 mixed runs both at once.
// Output: one `key=value` line per metric, then `ok`. A global deadline (--seconds, default
// 60) aborts with a message on stderr and exit code 2; any other failure exits 1.

#include "load_companion.hpp"
#include "load_gateway.hpp"
#include "load_options.hpp"
#include "load_stats.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <exception>
#include <sys/resource.h>
#include <thread>

namespace {

void raise_nofile(std::size_t want) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + 64)
    load::die(1, "open file limit " + std::to_string(rl.rlim_cur) + " is too low for "
                   + std::to_string(want) + " sessions (raise ulimit -n)");
}

} // namespace

int main(int argc, char** argv) {
  auto opt = load::parse_options(argc, argv);
  raise_nofile(opt.sessions + opt.sharders + opt.workers);

  // Watchdog: never hang, whatever the io thread is doing.
  const auto deadline_s = opt.seconds;
  std::thread([deadline_s] {
    std::this_thread::sleep_for(std::chrono::duration<double>(deadline_s));
    load::die(2, "deadline of " + std::to_string(deadline_s) + " s exceeded (phase "
                   + load::g_phase.load() + "); aborting");
  }).detach();

  // Line-buffered, so a script (or perf) can follow the phases while the run goes on.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("scenario=%s\n", opt.scenario.c_str());
  boost::asio::io_context io{1};
  try {
    if (opt.scenario == "connect")
      load::scenario_connect(io, opt);
    else if (opt.scenario == "fanout")
      load::scenario_fanout(io, opt);
    else if (opt.scenario == "burst")
      load::scenario_burst(io, opt);
    else if (opt.scenario == "route")
      load::scenario_route(io, opt);
    else if (opt.scenario == "mixed")
      load::scenario_mixed(io, opt);
    else if (opt.scenario == "slow")
      load::scenario_slow(io, opt);
    else
      load::scenario_storm(io, opt);
  } catch (const std::exception& e) {
    load::die(1, std::string("io error: ") + e.what());
  }
  std::printf("ok\n");
  std::fflush(stdout);
  std::_Exit(0); // skip tearing down thousands of sockets and the detached watchdog
}
