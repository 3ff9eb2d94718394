#include "actors/shards/identify_scheduler.hpp"

#include <algorithm>

namespace coord::actors {

identify_scheduler::identify_scheduler(std::uint32_t max_concurrency, clock::duration interval)
  : buckets_(std::max<std::uint32_t>(max_concurrency, 1)), interval_(interval) {}

bool identify_scheduler::enqueue(session_id session, shard_id shard) {
  auto& q = buckets_[bucket_of(shard)].queue;
  if (std::any_of(q.begin(), q.end(),
                  [&](const entry& e) { return e.session == session && e.shard == shard; }))
    return false;
  q.push_back(entry{session, shard});
  return true;
}

std::size_t identify_scheduler::drop(session_id session) {
  std::size_t n = 0;
  for (auto& b : buckets_) {
    auto end = std::remove_if(b.queue.begin(), b.queue.end(),
                              [&](const entry& e) { return e.session == session; });
    n += static_cast<std::size_t>(b.queue.end() - end);
    b.queue.erase(end, b.queue.end());
  }
  return n;
}

std::vector<identify_scheduler::entry> identify_scheduler::poll(clock::time_point now) {
  std::vector<entry> out;
  for (auto& b : buckets_) {
    if (b.queue.empty() || (b.last && now < *b.last + interval_))
      continue;
    out.push_back(b.queue.front());
    b.queue.pop_front();
    b.last = now;
  }
  return out;
}

std::optional<identify_scheduler::clock::time_point> identify_scheduler::free_at(
  const bucket& b) const {
  if (!b.last)
    return std::nullopt;
  return *b.last + interval_;
}

std::optional<identify_scheduler::clock::time_point> identify_scheduler::next_due() const {
  std::optional<clock::time_point> out;
  for (const auto& b : buckets_) {
    if (b.queue.empty())
      continue;
    // A bucket that never granted may grant at once: the earliest possible time.
    auto t = b.last ? *b.last + interval_ : clock::time_point::min();
    if (!out || t < *out)
      out = t;
  }
  return out;
}

} // namespace coord::actors
