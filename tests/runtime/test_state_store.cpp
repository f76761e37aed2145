#include "runtime/state_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace roomd {
namespace {

struct Change {
  std::string module_id;
  std::string name;
  Json value;
};

StateStore::Listener record_into(std::vector<Change>& changes) {
  return [&changes](std::string_view module_id, std::string_view name, const Json& value) {
    changes.push_back({std::string(module_id), std::string(name), value});
  };
}

TEST_CASE("setting the same value twice notifies once", "[state]") {
  StateStore store;
  std::vector<Change> seen;
  auto sub = store.subscribe("display", "power", record_into(seen));

  CHECK(store.set("display", "power", true));
  CHECK_FALSE(store.set("display", "power", true));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].module_id == "display");
  CHECK(seen[0].name == "power");
  CHECK(seen[0].value == true);
  CHECK(store.changes() == 1);

  CHECK(store.set("display", "power", false));
  CHECK(seen.size() == 2);
  CHECK(store.changes() == 2);
}

TEST_CASE("a change is decided by JSON equality", "[state]") {
  // nlohmann::json compares numbers by value across integer/unsigned/float, but never equates
  // a number with a string. So 1 -> 1.0 is not a change (the stored value stays the integer
  // 1), while 1 -> "1" is.
  StateStore store;
  std::vector<Change> seen;
  auto sub = store.subscribe("sensor", "level", record_into(seen));

  CHECK(store.set("sensor", "level", 1));
  CHECK_FALSE(store.set("sensor", "level", 1.0));
  CHECK_FALSE(store.set("sensor", "level", 1u));
  CHECK(store.get("sensor", "level")->is_number_integer());
  CHECK(store.set("sensor", "level", "1"));
  CHECK(store.set("sensor", "level", 1.5));
  CHECK_FALSE(store.set("sensor", "level", Json::parse("1.5")));
  CHECK(seen.size() == 3);

  // Objects and arrays compare deeply.
  CHECK(store.set("sensor", "info", Json{{"a", 1}, {"b", {1, 2}}}));
  CHECK_FALSE(store.set("sensor", "info", Json::parse(R"({"b":[1,2],"a":1})")));
  CHECK(store.set("sensor", "info", Json{{"a", 1}, {"b", {2, 1}}}));
}

TEST_CASE("per-key listeners hear only their key, all-listeners hear every change", "[state]") {
  StateStore store;
  std::vector<Change> power;
  std::vector<Change> input;
  std::vector<Change> all;
  auto s1 = store.subscribe("display", "power", record_into(power));
  auto s2 = store.subscribe("display", "input", record_into(input));
  auto s3 = store.subscribe_all(record_into(all));

  store.set("display", "power", true);
  store.set("display", "input", "hdmi1");
  store.set("switcher", "route", Json::array({1, 2}));
  store.set("display", "power", true);  // unchanged

  CHECK(power.size() == 1);
  CHECK(input.size() == 1);
  REQUIRE(all.size() == 3);
  CHECK(all[2].module_id == "switcher");
  CHECK(all[2].value == Json::array({1, 2}));
}

TEST_CASE("per-key listeners run before all-listeners, each in subscription order", "[state]") {
  StateStore store;
  std::vector<std::string> order;
  auto a = store.subscribe_all([&](auto, auto, const Json&) { order.push_back("all1"); });
  auto b = store.subscribe("m", "v", [&](auto, auto, const Json&) { order.push_back("key1"); });
  auto c = store.subscribe("m", "v", [&](auto, auto, const Json&) { order.push_back("key2"); });
  auto d = store.subscribe_all([&](auto, auto, const Json&) { order.push_back("all2"); });
  store.set("m", "v", 1);
  CHECK(order == std::vector<std::string>{"key1", "key2", "all1", "all2"});
}

TEST_CASE("a subscription ends when its handle is reset or destroyed", "[state]") {
  StateStore store;
  int key_calls = 0;
  int all_calls = 0;
  auto key = store.subscribe("m", "v", [&](auto, auto, const Json&) { ++key_calls; });
  {
    auto all = store.subscribe_all([&](auto, auto, const Json&) { ++all_calls; });
    store.set("m", "v", 1);
  }
  store.set("m", "v", 2);
  key.reset();
  CHECK_FALSE(key);
  store.set("m", "v", 3);
  CHECK(key_calls == 2);
  CHECK(all_calls == 1);
  // A moved-from handle does not cancel; the moved-to one does.
  auto moved = store.subscribe("m", "v", [&](auto, auto, const Json&) { ++key_calls; });
  Subscription owner = std::move(moved);
  store.set("m", "v", 4);
  CHECK(key_calls == 3);
  owner = Subscription();
  store.set("m", "v", 5);
  CHECK(key_calls == 3);
}

TEST_CASE("erase notifies null and forgets the value", "[state]") {
  StateStore store;
  std::vector<Change> seen;
  std::vector<Change> all;
  auto sub = store.subscribe("display", "input", record_into(seen));
  auto sub_all = store.subscribe_all(record_into(all));

  CHECK_FALSE(store.erase("display", "input"));  // never set
  store.set("display", "input", "hdmi2");
  CHECK(store.erase("display", "input"));
  CHECK_FALSE(store.erase("display", "input"));
  CHECK_FALSE(store.get("display", "input").has_value());
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].value.is_null());
  CHECK(all.size() == 2);
  CHECK(store.changes() == 2);

  // The subscription survives the erase: setting it again notifies, even to the same value.
  store.set("display", "input", "hdmi2");
  CHECK(seen.size() == 3);
}

TEST_CASE("null is a value: set(null) differs from erase", "[state]") {
  StateStore store;
  CHECK(store.set("m", "v", nullptr));
  REQUIRE(store.get("m", "v").has_value());
  CHECK(store.get("m", "v")->is_null());
  CHECK_FALSE(store.set("m", "v", nullptr));
  CHECK(store.erase("m", "v"));
  CHECK_FALSE(store.get("m", "v").has_value());
}

TEST_CASE("module_state gathers one module's variables into an object", "[state]") {
  StateStore store;
  CHECK(store.module_state("display") == Json::object());
  store.set("display", "power", true);
  store.set("display", "input", "hdmi1");
  store.set("display", "temp", 41.5);
  store.set("displayX", "power", false);  // a module whose id extends another's stays apart
  store.set("projector", "lamp_hours", 1200);
  store.erase("display", "temp");
  auto sub = store.subscribe("display", "volume", [](auto, auto, const Json&) {});  // no value

  CHECK(store.module_state("display") == Json{{"power", true}, {"input", "hdmi1"}});
  CHECK(store.module_state("projector") == Json{{"lamp_hours", 1200}});
  CHECK(store.module_state("nobody") == Json::object());
}

TEST_CASE("restore loads a value without notifying or counting a change", "[state]") {
  StateStore store;
  std::vector<Change> seen;
  auto sub = store.subscribe_all(record_into(seen));
  store.restore("display", "power", true);
  CHECK(seen.empty());
  CHECK(store.changes() == 0);
  CHECK(store.get("display", "power") == Json(true));
  // The restored value is the baseline for change detection.
  CHECK_FALSE(store.set("display", "power", true));
  CHECK(store.set("display", "power", false));
  CHECK(seen.size() == 1);
}

TEST_CASE("listeners run without the store's lock held", "[state]") {
  StateStore store;
  std::optional<Json> read_back;
  Json snapshot;
  Subscription added;
  int added_calls = 0;
  auto sub = store.subscribe("m", "v", [&](auto, auto, const Json& value) {
    read_back = store.get("m", "v");  // would deadlock under the lock
    snapshot = store.module_state("m");
    store.set("m", "echo", value);  // re-entrant set
    if (!added) {
      added = store.subscribe("m", "v", [&](auto, auto, const Json&) { ++added_calls; });
    }
  });
  store.set("m", "v", 7);
  CHECK(read_back == Json(7));
  CHECK(snapshot == Json{{"v", 7}});
  CHECK(store.get("m", "echo") == Json(7));
  // A listener added during a notify hears the next change, not the current one.
  CHECK(added_calls == 0);
  store.set("m", "v", 8);
  CHECK(added_calls == 1);
}

TEST_CASE("a listener may unsubscribe itself or another during a notify", "[state]") {
  StateStore store;
  Subscription self;
  Subscription other;
  int self_calls = 0;
  int other_calls = 0;
  self = store.subscribe("m", "v", [&](auto, auto, const Json&) {
    ++self_calls;
    self.reset();
    other.reset();  // other comes later in the same notify and must not be called now
  });
  other = store.subscribe("m", "v", [&](auto, auto, const Json&) { ++other_calls; });
  store.set("m", "v", 1);
  store.set("m", "v", 2);
  CHECK(self_calls == 1);
  CHECK(other_calls == 0);
}

TEST_CASE("a subscription handle may outlive its store", "[state]") {
  Subscription key;
  Subscription all;
  {
    StateStore store;
    key = store.subscribe("m", "v", [](auto, auto, const Json&) {});
    all = store.subscribe_all([](auto, auto, const Json&) {});
  }
  key.reset();
  all.reset();
  SUCCEED("no crash");
}

TEST_CASE("a listener's exception is reported and never reaches the setter", "[state]") {
  StateStore store;
  std::string reported;
  store.on_listener_error(
      [&](std::string_view module_id, std::string_view name, std::string_view what) {
        reported = std::string(module_id) + "." + std::string(name) + ": " + std::string(what);
      });
  int after = 0;
  auto bad = store.subscribe(
      "m", "v", [](auto, auto, const Json&) { throw std::runtime_error("listener failed"); });
  auto good = store.subscribe_all([&](auto, auto, const Json&) { ++after; });
  CHECK(store.set("m", "v", 1));
  CHECK(after == 1);
  CHECK(reported == "m.v: listener failed");
  CHECK(store.get("m", "v") == Json(1));
}

TEST_CASE("concurrent setters and subscribers", "[state]") {
  StateStore store;
  std::atomic<int> heard{0};
  auto all = store.subscribe_all([&](auto, auto, const Json&) { ++heard; });
  constexpr int kThreads = 4;
  constexpr int kSets = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      const std::string module = "module" + std::to_string(t);
      for (int i = 0; i < kSets; ++i) {
        store.set(module, "counter", i);
        // Churn subscriptions on a shared key while others set it.
        auto sub = store.subscribe("shared", "v", [](auto, auto, const Json&) {});
        store.set("shared", "v", t * kSets + i);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(store.get("module" + std::to_string(t), "counter") == Json(kSets - 1));
  }
  CHECK(store.changes() == static_cast<std::uint64_t>(heard.load()));
  CHECK(heard.load() >= kThreads * kSets);
}

}  // namespace
}  // namespace roomd
