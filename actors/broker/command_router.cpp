#include "actors/broker/command_router.hpp"

#include <algorithm>

namespace coord::actors {

namespace {

/// splitmix64's finaliser: a cheap, well-mixed 64-bit hash.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

} // namespace

std::uint64_t command_router::score(std::uint64_t guild, std::uint64_t worker) noexcept {
  return mix(guild ^ mix(worker));
}

void command_router::add_worker(std::uint64_t id) {
  if (std::find(workers_.begin(), workers_.end(), id) == workers_.end())
    workers_.push_back(id);
}

void command_router::remove_worker(std::uint64_t id) {
  workers_.erase(std::remove(workers_.begin(), workers_.end(), id), workers_.end());
}

std::optional<std::uint64_t> command_router::pick(std::uint64_t guild) const noexcept {
  std::optional<std::uint64_t> best;
  std::uint64_t best_score = 0;
  for (auto w : workers_) {
    auto s = score(guild, w);
    // Ties (practically impossible) go to the lower id so every node picks alike.
    if (!best || s > best_score || (s == best_score && w < *best)) {
      best = w;
      best_score = s;
    }
  }
  return best;
}

bool command_router::buffer(pending p) {
  if (backlog_.size() >= capacity_)
    return false;
  backlog_.push_back(std::move(p));
  return true;
}

std::size_t command_router::expire(clock::time_point now) {
  std::size_t n = 0;
  while (!backlog_.empty() && now - backlog_.front().queued_at > ttl_) {
    backlog_.pop_front();
    ++n;
  }
  return n;
}

std::deque<command_router::pending> command_router::take_backlog() {
  std::deque<pending> out;
  out.swap(backlog_);
  return out;
}

} // namespace coord::actors
