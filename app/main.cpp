// coordinator: the hub of a sharded Discord bot (README.md).

#include "app/config.hpp"
#include "app/console_client.hpp"
#include "app/node.hpp"
#include "app/store_transfer.hpp"
#include "store/settings_repository.hpp"

#include <caf/actor_system.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <string_view>

#ifndef COORD_VERSION
#define COORD_VERSION "0.0.0"
#endif

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "coordinator: %s\n", what.c_str());
  return 1;
}

void set_up_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("coordinator");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(std::move(logger));
}

} // namespace

int main(int argc, char** argv) {
  // `coordinator console ...` is a client of a running node, not a node: dispatch before
  // CAF sees argv and before the signal set-up below (Ctrl-C ends the client as usual).
  if (argc >= 2 && std::string_view{argv[1]} == "console")
    return coord::app::run_console_client(argc - 1, argv + 1);
  if (argc >= 2 && std::string_view{argv[1]} == "store")
    return coord::app::run_store_command(argc - 1, argv + 1);

  // SIGINT/SIGTERM are taken with sigwait on this thread; block them before any thread
  // starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  coord::app::config cfg;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg == "--help" || arg == "-h" || arg == "-?") {
      // CAF's own --help lists only its global options; ours lists every section.
      std::printf("usage: coordinator [--config-file=PATH] [--section.key=value ...]\n"
                  "       coordinator console [--host H] [--port P] [-c COMMAND]\n"
                  "       coordinator store import|export (--help for more)\n\n%s",
                  cfg.help_text().c_str());
      return 0;
    }
  }
  if (auto err = cfg.parse(argc, argv, "conf/coordinator.ini"))
    return fail("bad option: " + cfg.render(err));
  if (cfg.cli_helptext_printed)
    return 0;
  if (auto problem = cfg.validate(); !problem.empty())
    return fail(problem);
  set_up_logging(cfg.log_level);

  // In cluster mode etcd holds the state (SPEC §9) and SQLite is not opened.
  std::shared_ptr<coord::store::settings_repository> repo;
  if (!cfg.clustered()) {
    try {
      repo = std::make_shared<coord::store::settings_repository>(cfg.store_path);
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }

  // Declared before the actor system: it outlives every actor (the system's destructor waits
  // for them, and a detached store may still count a queued write after shutdown).
  coord::metrics::registry metrics;
  caf::actor_system sys{cfg};
  std::unique_ptr<coord::app::node> node_ptr;
  try {
    node_ptr = std::make_unique<coord::app::node>(sys, cfg, metrics, std::move(repo));
  } catch (const std::exception& e) {
    return fail(e.what()); // e.g. a cluster.etcd URL the etcd client cannot use
  }
  auto& node = *node_ptr;
  try {
    node.start();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::printf("coordinator %s: http+websocket listening on %s\n", COORD_VERSION,
              node.http_address().c_str());
  std::printf("coordinator %s: console listening on %s\n", COORD_VERSION,
              node.console_address().c_str());
  std::fflush(stdout);
  spdlog::info("started version={} store=\"{}\"", COORD_VERSION,
               cfg.clustered() ? "etcd " + cfg.cluster_etcd + " " + cfg.cluster_prefix
                               : cfg.store_path);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("stopping signal={}", sig == SIGINT ? "SIGINT" : "SIGTERM");
  node.shutdown();
  return 0;
}
