#include "uplink/outbox/eviction_report.hpp"

#include <algorithm>

namespace roomd {

void EvictionReport::add(Cursor at, std::string_view kind) {
  victims_.push_back({at, std::string(kind)});
}

Json EvictionReport::gaps() const {
  // Victims arrive by value, then age; ranges need them in (epoch, seq) order.
  std::vector<const Victim*> sorted;
  sorted.reserve(victims_.size());
  for (const auto& victim : victims_) sorted.push_back(&victim);
  std::sort(sorted.begin(), sorted.end(),
            [](const Victim* a, const Victim* b) { return a->at < b->at; });

  Json gaps = Json::array();
  Json* entry = nullptr;
  for (const Victim* victim : sorted) {
    if (!entry || (*entry)["epoch"] != victim->at.epoch) {
      gaps.push_back({{"epoch", victim->at.epoch},
                      {"seqs", Json::array()},
                      {"count", 0},
                      {"kinds", Json::object()}});
      entry = &gaps.back();
    }
    auto& seqs = (*entry)["seqs"];
    if (!seqs.empty() && seqs.back()[1].get<std::uint64_t>() + 1 == victim->at.seq) {
      seqs.back()[1] = victim->at.seq;
    } else {
      seqs.push_back({victim->at.seq, victim->at.seq});
    }
    auto& count = (*entry)["count"];
    count = count.get<std::uint64_t>() + 1;
    auto& kinds = (*entry)["kinds"];
    kinds[victim->kind] = kinds.value(victim->kind, std::uint64_t{0}) + 1;
  }
  return gaps;
}

void EvictionReport::count_into(EvictionCounts& totals) const {
  for (const auto& victim : victims_) {
    auto& per_kind = totals[victim.at.epoch];
    auto it = per_kind.find(victim.kind);
    if (it == per_kind.end()) it = per_kind.emplace(victim.kind, 0).first;
    ++it->second;
  }
}

}  // namespace roomd
