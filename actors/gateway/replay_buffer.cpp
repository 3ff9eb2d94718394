#include "actors/gateway/replay_buffer.hpp"

#include <algorithm>

namespace coord::actors {

std::vector<replay_buffer::entry> replay_buffer::push(entry e) {
  last_s_ = std::max(last_s_, e.s);
  bytes_ += e.frame ? e.frame->size() : 0;
  entries_.push_back(std::move(e));
  std::vector<entry> dropped_commands;
  // The newest frame always stays, even when it alone is past the byte bound.
  while (entries_.size() > 1 && (entries_.size() > max_events_ || bytes_ > max_bytes_)) {
    auto& old = entries_.front();
    bytes_ -= old.frame ? old.frame->size() : 0;
    // A command pushed out unsent is routed again, not lost: no gap for a resume.
    if (old.away_command)
      dropped_commands.push_back(std::move(old));
    else
      dropped_up_to_ = std::max(dropped_up_to_, old.s);
    entries_.pop_front();
  }
  return dropped_commands;
}

std::vector<const replay_buffer::entry*> replay_buffer::after(std::uint64_t seq) const {
  std::vector<const entry*> out;
  // Entries are in increasing `s`: find the first after seq.
  auto first = std::upper_bound(entries_.begin(), entries_.end(), seq,
                                [](std::uint64_t v, const entry& e) { return v < e.s; });
  for (auto i = first; i != entries_.end(); ++i)
    out.push_back(&*i);
  return out;
}

std::vector<replay_buffer::entry> replay_buffer::take_away_commands() {
  std::vector<entry> out;
  auto keep = entries_.begin();
  for (auto i = entries_.begin(); i != entries_.end(); ++i) {
    if (i->away_command) {
      bytes_ -= i->frame ? i->frame->size() : 0;
      out.push_back(std::move(*i));
    } else {
      if (keep != i)
        *keep = std::move(*i);
      ++keep;
    }
  }
  entries_.erase(keep, entries_.end());
  return out;
}

void replay_buffer::keep_away_commands() noexcept {
  for (auto& e : entries_) {
    e.away_command = false;
    e.json.reset();
  }
}

} // namespace coord::actors
