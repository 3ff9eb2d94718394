// The debug console of a node (SPEC.md §8): the inspector actor and the console listener.

#include "actors/console/inspector.hpp"
#include "app/node.hpp"
#include "net/console_server.hpp"
#include "net/server.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/send.hpp>

#ifndef COORD_VERSION
#define COORD_VERSION "0.0.0"
#endif

namespace coord::app {

void node::start_console() {
  actors::inspector_deps deps;
  deps.version = COORD_VERSION;
  deps.http_address = server_->local_address();
  deps.io_threads = cfg_.io_threads;
  deps.scheduler_threads = sys_.scheduler().num_workers();
  deps.password = cfg_.console_password;
  deps.broker = broker_;
  deps.store = store_;
  deps.stats = stats_;
  deps.planner = planner_;
  deps.cluster = cluster_;
  // Dynamic handles (actors not typed yet) are cast: each answers inspect_atom.
  auto any = [](const caf::actor& a) { return caf::actor_cast<actors::inspectable_actor>(a); };
  deps.actors = {broker_, router_, directory_, store_, stats_, http_api_, planner_, monitor_,
                 voice_registry_};
  if (cluster_)
    deps.actors.push_back(cluster_);
  for (const auto& partition : cache_)
    deps.actors.push_back(partition);
  deps.metrics = &metrics_;
  inspector_ = sys_.spawn(actors::inspector, std::move(deps));

  net::console_options opts;
  opts.host = cfg_.console_host;
  opts.port = cfg_.console_port;
  // The hook runs on the console's io thread: it hands the line over and returns.
  console_ = std::make_unique<net::console_server>(
    std::move(opts), [inspector = inspector_](std::string line,
                                              std::shared_ptr<net::console_reply> r) {
      caf::anon_send(inspector, actors::console_atom::value, std::move(line), std::move(r));
    });
  console_->start(); // throws std::runtime_error with one line when it cannot bind
}

void node::stop_console() {
  if (console_)
    console_->stop();
  if (inspector_)
    caf::anon_send_exit(inspector_, caf::exit_reason::user_shutdown);
}

std::string node::console_address() const {
  return console_ ? console_->local_address() : std::string{};
}

} // namespace coord::app
