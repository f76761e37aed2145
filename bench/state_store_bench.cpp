// Throughput of StateStore::set: with no listeners, with per-key listeners, with SQLite
// persistence attached, and with the history attached (every change a row). Every measured set is a
// real change (the value alternates), so each one notifies; an unchanged set is measured
// separately. Not a test: it prints numbers.
#include "runtime/history.hpp"
#include "runtime/state_persistence.hpp"
#include "runtime/state_store.hpp"

#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kKeys = 100;
constexpr int kSets = 1'000'000;

std::vector<std::string> key_names() {
  std::vector<std::string> names;
  for (int i = 0; i < kKeys; ++i) names.push_back("variable_" + std::to_string(i));
  return names;
}

// Sets kSets values spread over kKeys keys of one module; returns sets per second.
double measure_sets(roomd::StateStore& store, const std::vector<std::string>& names, int sets,
                    bool change) {
  auto start = Clock::now();
  for (int i = 0; i < sets; ++i) {
    store.set("display_1", names[i % kKeys], change ? i : 0);
  }
  return sets / std::chrono::duration<double>(Clock::now() - start).count();
}

void print_rate(const char* what, double per_second) {
  std::printf("state_store set (%s): %.2f M/s\n", what, per_second / 1e6);
}

}  // namespace

int main() {
  const auto names = key_names();
  volatile long sink = 0;  // keeps listener bodies from being optimised away
  auto count = [&sink](std::string_view, std::string_view, const roomd::Json&) { sink = sink + 1; };

  {
    roomd::StateStore store;
    measure_sets(store, names, kKeys, true);  // create the keys outside the measurement
    print_rate("no listeners", measure_sets(store, names, kSets, true));
    print_rate("unchanged value", measure_sets(store, names, kSets, false));
  }
  for (int listeners : {1, 100}) {
    roomd::StateStore store;
    std::vector<roomd::Subscription> subscriptions;
    for (const auto& name : names) {
      for (int i = 0; i < listeners; ++i) {
        subscriptions.push_back(store.subscribe("display_1", name, count));
      }
    }
    measure_sets(store, names, kKeys, true);
    const int sets = listeners >= 100 ? kSets / 10 : kSets;
    const std::string label =
        std::to_string(listeners) + " per-key listener" + (listeners == 1 ? "" : "s");
    print_rate(label.c_str(), measure_sets(store, names, sets, true));
  }
  {
    std::string dir = "/tmp/roomd-bench-state-XXXXXX";
    if (!mkdtemp(dir.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    {
      roomd::StateStore store;
      roomd::StatePersistence persistence(dir + "/roomd.db");
      persistence.attach(store);
      measure_sets(store, names, kKeys, true);
      persistence.flush();
      auto start = Clock::now();
      const double rate = measure_sets(store, names, kSets, true);
      persistence.flush();
      const double with_flush = kSets / std::chrono::duration<double>(Clock::now() - start).count();
      print_rate("persistence attached", rate);
      print_rate("persistence attached, incl. final flush", with_flush);
    }
    {
      // Every change is a row here, not a key: fewer sets, and the bound of 10,000 points per
      // variable is reached, so pruning is part of the figure.
      constexpr int kHistorySets = kSets / 4;
      roomd::StateStore store;
      roomd::History history(dir + "/history.db", roomd::HistoryConfig{});
      history.attach(store);
      measure_sets(store, names, kKeys, true);
      history.flush();
      auto start = Clock::now();
      const double rate = measure_sets(store, names, kHistorySets, true);
      history.flush();
      const double with_flush =
          kHistorySets / std::chrono::duration<double>(Clock::now() - start).count();
      print_rate("history attached", rate);
      print_rate("history attached, incl. final commit", with_flush);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return 0;
}
