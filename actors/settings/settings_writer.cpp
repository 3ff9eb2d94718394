#include "actors/settings/settings_writer.hpp"

#include "actors/console/summary.hpp"
#include "actors/errors.hpp"

#include <spdlog/spdlog.h>

namespace coord::actors {

namespace {

using self_ptr = settings_writer_actor::stateful_pointer<settings_writer_state>;

/// Runs one write against SQLite: its answer, or store_failed when it did not commit.
template <class F>
caf::result<bool> commit(self_ptr self, const char* what, F&& write) {
  try {
    bool out = write();
    self->state.metrics->store_commits.inc();
    return out;
  } catch (const std::exception& e) {
    self->state.metrics->store_commit_failures.inc();
    spdlog::error("store: commit failed op={} error=\"{}\"", what, e.what());
    return make_coord_error(coord_errc::store_failed, "store commit failed");
  }
}

} // namespace

caf::error log_store_exception(caf::scheduled_actor*, std::exception_ptr& eptr) {
  try {
    std::rethrow_exception(eptr);
  } catch (const std::exception& e) {
    spdlog::critical("store: handler threw error=\"{}\"", e.what());
  } catch (...) {
    spdlog::critical("store: handler threw a non-standard exception");
  }
  return caf::sec::runtime_error;
}

settings_writer_actor::behavior_type
settings_writer(settings_writer_actor::stateful_pointer<settings_writer_state> self,
                std::shared_ptr<store::settings_repository> repo, metrics::registry* metrics) {
  self->state.repo = std::move(repo);
  self->state.metrics = metrics;
  // A throwing handler is a bug: say what it was before the actor goes down.
  self->set_exception_handler(log_store_exception);
  return {
    [=](store_save_atom, const proto::guild_settings& s) {
      return commit(self, "save_settings", [&] {
        self->state.repo->save_settings(s);
        return true;
      });
    },
    [=](supporter_add_atom, std::uint64_t id) {
      return commit(self, "add_supporter", [&] { return self->state.repo->add_supporter(id); });
    },
    [=](supporter_del_atom, std::uint64_t id) {
      return commit(self, "remove_supporter",
                    [&] { return self->state.repo->remove_supporter(id); });
    },
    [=](inspect_atom) {
      return summarize(self,
                       {{"commits", std::to_string(self->state.metrics->store_commits.value())},
                        {"failures",
                         std::to_string(self->state.metrics->store_commit_failures.value())}});
    },
  };
}

} // namespace coord::actors
