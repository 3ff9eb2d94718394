#include "load_options.hpp"

#include "load_stats.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace load {

namespace {

const char* const usage_text =
  "usage: load --port P --scenario S [options]\n"
  "  S1 connect | S2 fanout | S3 burst   --sessions N [--rounds R] [--concurrency C]\n"
  "  S4 route    [--sharders 4] [--workers 2] [--guilds 10000] [--payload 300]\n"
  "              [--rates 5000,10000,20000,50000,80000] [--step-seconds 2]\n"
  "              [--flood-seconds 0] [--flood-window 2000] [--secret S]\n"
  "  S5 mixed    --sessions N [--run-seconds 10] [--ping-ms 1000] [--hb-ms 100]\n"
  "              [--broadcast-per-s 10] [--route-per-s 5000] + the route options\n"
  "  S6 slow     --sessions N [--slow-percent 10] [--rounds R] [--window 4] [--rcvbuf 4096]\n"
  "              [--mss 536] [--sample-ms 100] [--drain-seconds 8] [--admin-token A]\n"
  "  S7 storm    --sessions N [--storm-concurrency 0 (all at once)] [--concurrency C]\n"
  "  common: [--seconds T (watchdog, 60)] [--key K] [--pid NODE_PID]\n";

bool is_scenario(const std::string& s) {
  for (const char* n : {"connect", "fanout", "burst", "route", "mixed", "slow", "storm"})
    if (s == n)
      return true;
  return false;
}

} // namespace

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fputs(usage_text, stderr);
        die(1, "missing value for " + a);
      }
      return argv[++i];
    };
    try {
      if (a == "--port") o.port = static_cast<unsigned short>(std::stoul(next()));
      else if (a == "--scenario") o.scenario = next();
      else if (a == "--sessions") o.sessions = std::stoul(next());
      else if (a == "--rounds") o.rounds = std::stoul(next());
      else if (a == "--seconds") o.seconds = std::stod(next());
      else if (a == "--key") o.key = next();
      else if (a == "--admin-token") o.admin_token = next();
      else if (a == "--pid") o.pid = std::stol(next());
      else if (a == "--concurrency") o.concurrency = std::stoul(next());
      else if (a == "--secret") o.secret = next();
      else if (a == "--sharders") o.sharders = std::stoul(next());
      else if (a == "--workers") o.workers = std::stoul(next());
      else if (a == "--guilds") o.guilds = std::stoul(next());
      else if (a == "--payload") o.payload = std::stoul(next());
      else if (a == "--rates") o.rates = parse_list(next(), "--rates");
      else if (a == "--step-seconds") o.step_seconds = std::stod(next());
      else if (a == "--flood-seconds") o.flood_seconds = std::stod(next());
      else if (a == "--flood-window") o.flood_window = std::stoul(next());
      else if (a == "--run-seconds") o.run_seconds = std::stod(next());
      else if (a == "--ping-ms") o.ping_ms = std::stod(next());
      else if (a == "--hb-ms") o.hb_ms = std::stod(next());
      else if (a == "--broadcast-per-s") o.broadcast_per_s = std::stod(next());
      else if (a == "--route-per-s") o.route_per_s = std::stod(next());
      else if (a == "--slow-percent") o.slow_percent = std::stod(next());
      else if (a == "--window") o.window = std::stoul(next());
      else if (a == "--rcvbuf") o.rcvbuf = std::stoi(next());
      else if (a == "--mss") o.mss = std::stoi(next());
      else if (a == "--sample-ms") o.sample_ms = std::stod(next());
      else if (a == "--drain-seconds") o.drain_seconds = std::stod(next());
      else if (a == "--storm-concurrency") o.storm_concurrency = std::stoul(next());
      else if (a == "-h" || a == "--help") { std::fputs(usage_text, stdout); std::exit(0); }
      else { std::fputs(usage_text, stderr); die(1, "unknown argument " + a); }
    } catch (const std::invalid_argument&) {
      die(1, "bad number for " + a);
    } catch (const std::out_of_range&) {
      die(1, "number out of range for " + a);
    }
  }
  if (o.port == 0 || !is_scenario(o.scenario)) {
    std::fputs(usage_text, stderr);
    die(1, "need --port and a known --scenario");
  }
  if (o.scenario != "route" && o.sessions == 0)
    die(1, "--scenario " + o.scenario + " needs --sessions > 0");
  if (o.sessions > 60000)
    die(1, "--sessions is bounded to 60000");
  if (o.concurrency == 0)
    die(1, "--concurrency must be > 0");
  if (o.rounds == 0 || o.rounds > 100000)
    die(1, "--rounds must be in 1..100000");
  if (!(o.seconds > 0) || o.seconds > 3600)
    die(1, "--seconds must be in (0, 3600]");
  if (o.sharders == 0 || o.sharders > 64 || o.workers == 0 || o.workers > 64)
    die(1, "--sharders and --workers must be in 1..64");
  if (o.guilds == 0 || o.guilds > 10000000)
    die(1, "--guilds must be in 1..10000000");
  if (o.payload < 200 || o.payload > 65536)
    die(1, "--payload must be in 200..65536 (an EXECUTE_COMMAND needs ~200 bytes of fields)");
  for (double r : o.rates)
    if (!(r > 0) || r > 1e6)
      die(1, "--rates must be in (0, 1000000]");
  if (!(o.step_seconds > 0) || o.step_seconds > 600 || o.flood_seconds < 0
      || o.flood_seconds > 600 || o.flood_window == 0)
    die(1, "bad --step-seconds, --flood-seconds or --flood-window");
  if (!(o.run_seconds > 0) || !(o.ping_ms > 0) || !(o.hb_ms > 0) || o.broadcast_per_s < 0
      || o.route_per_s < 0 || o.route_per_s > 1e6)
    die(1, "bad --run-seconds, --ping-ms, --hb-ms, --broadcast-per-s or --route-per-s");
  if (o.slow_percent < 0 || o.slow_percent >= 100 || o.window == 0 || !(o.sample_ms > 0)
      || o.drain_seconds < 0)
    die(1, "bad --slow-percent, --window, --sample-ms or --drain-seconds");
  return o;
}

} // namespace load
