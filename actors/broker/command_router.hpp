#pragma once
// EXECUTE_COMMAND routing (SPEC.md §4.6): each command goes to exactly one commands session,
// chosen by rendezvous hashing of the guild id over the connected workers; with no worker
// connected, commands wait in a queue bounded in count and age. Pure: no CAF, no clock.

#include "actors/ports.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace coord::actors {

class command_router {
public:
  using clock = std::chrono::steady_clock;

  /// A command waiting for a worker.
  struct pending {
    std::uint64_t guild = 0;
    ports::buffer json; ///< the encoded EXECUTE_COMMAND payload
    clock::time_point queued_at;
  };

  /// `capacity` commands at most wait, each at most `ttl`.
  command_router(std::size_t capacity, clock::duration ttl) : capacity_(capacity), ttl_(ttl) {}

  void add_worker(std::uint64_t id);
  void remove_worker(std::uint64_t id);
  std::size_t workers() const noexcept { return workers_.size(); }

  /// The worker for `guild`: the one with the highest hash of (guild, worker). Adding or
  /// removing a worker moves only the guilds that hash to it.
  std::optional<std::uint64_t> pick(std::uint64_t guild) const noexcept;

  /// Queues a command while no worker is connected; false when the queue is full.
  bool buffer(pending p);

  /// Drops the commands older than the ttl at `now`; returns how many.
  std::size_t expire(clock::time_point now);

  /// Takes every waiting command (after expire()), oldest first.
  std::deque<pending> take_backlog();

  std::size_t backlog() const noexcept { return backlog_.size(); }

  /// The rendezvous score of (guild, worker).
  static std::uint64_t score(std::uint64_t guild, std::uint64_t worker) noexcept;

private:
  std::size_t capacity_;
  clock::duration ttl_;
  std::vector<std::uint64_t> workers_;
  std::deque<pending> backlog_;
};

} // namespace coord::actors
