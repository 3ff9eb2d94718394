#include "actors/shards/shard_table.hpp"

#include <algorithm>

namespace coord::actors {

shard_table::shard_table(std::uint32_t shard_count, std::uint32_t sharders)
  : slots_(shard_count), sharders_(std::max<std::uint32_t>(sharders, 1)) {
  share_ = static_cast<std::uint32_t>(
    (static_cast<std::uint64_t>(shard_count) + sharders_ - 1) / sharders_);
}

shard_table::identified shard_table::identify(session_id session,
                                              const std::vector<shard_id>& requested) {
  if (auto i = owners_.find(session); i != owners_.end())
    return {i->second.shards, false};
  std::vector<shard_id> want;
  want.reserve(requested.size());
  for (auto id : requested)
    if (id < slots_.size())
      want.push_back(id);
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());

  auto& s = owners_[session];
  s.joined = next_join_++;
  bool grantable = !want.empty() && std::none_of(want.begin(), want.end(), [&](shard_id id) {
    return slots_[id].st == state::owned;
  });
  if (grantable) {
    // Free or held: a held shard leaves its hold, whose timer then finds fewer shards.
    for (auto id : want)
      slots_[id] = slot{state::owned, session, 0};
    s.shards = std::move(want);
    return {s.shards, true};
  }
  take_free(session, s, share_);
  if (want.empty() && s.shards.size() < share_)
    take_held(session, s, share_ - s.shards.size());
  return {s.shards, false};
}

shard_table::hold_id shard_table::end(session_id session) {
  auto i = owners_.find(session);
  if (i == owners_.end())
    return 0;
  auto shards = std::move(i->second.shards);
  owners_.erase(i);
  if (shards.empty())
    return 0;
  auto hold = ++next_hold_;
  for (auto id : shards)
    slots_[id] = slot{state::held, session, hold};
  return hold;
}

std::vector<shard_table::assignment> shard_table::release(hold_id hold) {
  std::vector<assignment> out;
  bool released = false;
  for (auto& sl : slots_)
    if (sl.st == state::held && sl.hold == hold) {
      sl = slot{};
      released = true;
    }
  if (!released)
    return out;
  // Oldest sharder first, so a hand-out does not depend on session id values.
  for (auto session : sessions()) {
    auto& s = owners_[session];
    if (s.shards.size() >= share_)
      continue;
    if (take_free(session, s, share_ - s.shards.size()) == 0)
      break; // the pool is empty
    out.push_back(assignment{session, s.shards});
  }
  return out;
}

bool shard_table::owns(session_id session, shard_id shard) const {
  return shard < slots_.size() && slots_[shard].st == state::owned
         && slots_[shard].owner == session;
}

const std::vector<shard_table::shard_id>& shard_table::shards_of(session_id session) const {
  static const std::vector<shard_id> none;
  auto i = owners_.find(session);
  return i == owners_.end() ? none : i->second.shards;
}

std::vector<shard_table::session_id> shard_table::sessions() const {
  std::vector<std::pair<std::uint64_t, session_id>> order;
  order.reserve(owners_.size());
  for (const auto& [session, s] : owners_)
    order.emplace_back(s.joined, session);
  std::sort(order.begin(), order.end());
  std::vector<session_id> out;
  out.reserve(order.size());
  for (const auto& [joined, session] : order)
    out.push_back(session);
  return out;
}

std::vector<shard_table::shard_id> shard_table::held(hold_id hold) const {
  std::vector<shard_id> out;
  for (shard_id id = 0; id < slots_.size(); ++id)
    if (slots_[id].st == state::held && slots_[id].hold == hold)
      out.push_back(id);
  return out;
}

void shard_table::take_held(session_id session, sharder& s, std::size_t n) {
  std::vector<std::pair<hold_id, shard_id>> held;
  for (shard_id id = 0; id < slots_.size(); ++id)
    if (slots_[id].st == state::held)
      held.emplace_back(slots_[id].hold, id);
  // Hold ids grow with time: the smallest is the longest held.
  std::sort(held.begin(), held.end());
  if (held.size() > n)
    held.resize(n);
  for (const auto& [hold, id] : held) {
    slots_[id] = slot{state::owned, session, 0};
    s.shards.insert(std::upper_bound(s.shards.begin(), s.shards.end(), id), id);
  }
}

std::size_t shard_table::take_free(session_id session, sharder& s, std::size_t n) {
  std::size_t taken = 0;
  for (shard_id id = 0; id < slots_.size() && taken < n; ++id)
    if (slots_[id].st == state::free) {
      slots_[id] = slot{state::owned, session, 0};
      s.shards.insert(std::upper_bound(s.shards.begin(), s.shards.end(), id), id);
      ++taken;
    }
  return taken;
}

} // namespace coord::actors
