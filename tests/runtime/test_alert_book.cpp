// The AlertBook on its own: one alert per id, clearing by id and by prefix, oldest first,
// listeners hearing every raise and clear in order, and severities by name.
#include "runtime/alert_book.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace roomd;

namespace {

Alert make(std::string id, AlertSeverity severity = AlertSeverity::medium) {
  Alert alert;
  alert.id = std::move(id);
  alert.title = "title of " + alert.id;
  alert.severity = severity;
  alert.module = "mod-a";
  alert.sys = "sys-1";
  return alert;
}

struct Heard {
  std::vector<std::string> events;  // "+id" raised, "-id" cleared
  Subscription subscription;
  explicit Heard(AlertBook& book)
      : subscription(book.subscribe([this](const Alert& alert, bool raised) {
          events.push_back((raised ? "+" : "-") + alert.id);
        })) {}
};

}  // namespace

TEST_CASE("an alert is raised once per id and cleared once", "[alerts][book]") {
  AlertBook book;
  Heard heard(book);
  CHECK(book.raise(make("offline/mod-a", AlertSeverity::high)));
  CHECK_FALSE(book.raise(make("offline/mod-a", AlertSeverity::low)));
  auto found = book.find("offline/mod-a");
  REQUIRE(found);
  CHECK(found->severity == AlertSeverity::high);  // the first raise stands
  CHECK(found->raised_at > 0);
  CHECK(book.clear("offline/mod-a"));
  CHECK_FALSE(book.clear("offline/mod-a"));
  CHECK_FALSE(book.find("offline/mod-a"));
  CHECK(heard.events == std::vector<std::string>{"+offline/mod-a", "-offline/mod-a"});
}

TEST_CASE("active alerts are listed oldest first and a given raised_at is kept", "[alerts][book]") {
  AlertBook book;
  auto early = make("rule/1");
  early.raised_at = 1000.5;
  book.raise(make("rule/0"));
  book.raise(early);
  book.raise(make("log/mod-a"));
  std::vector<std::string> ids;
  for (const auto& alert : book.active()) ids.push_back(alert.id);
  CHECK(ids == std::vector<std::string>{"rule/0", "rule/1", "log/mod-a"});
  CHECK(book.find("rule/1")->raised_at == 1000.5);
}

TEST_CASE("clear_prefix clears only the ids under the prefix", "[alerts][book]") {
  AlertBook book;
  Heard heard(book);
  book.raise(make("driver/mod-a/lamp"));
  book.raise(make("driver/mod-ab/lamp"));
  book.raise(make("driver/mod-a/filter"));
  book.clear_prefix("driver/mod-a/");
  REQUIRE(book.active().size() == 1);
  CHECK(book.active()[0].id == "driver/mod-ab/lamp");
  CHECK(heard.events == std::vector<std::string>{"+driver/mod-a/lamp", "+driver/mod-ab/lamp",
                                                 "+driver/mod-a/filter", "-driver/mod-a/lamp",
                                                 "-driver/mod-a/filter"});
}

TEST_CASE("a dropped subscription hears nothing more", "[alerts][book]") {
  AlertBook book;
  int heard = 0;
  {
    auto subscription = book.subscribe([&](const Alert&, bool) { ++heard; });
    book.raise(make("a"));
  }
  book.raise(make("b"));
  book.clear("a");
  CHECK(heard == 1);
}

TEST_CASE("severities by name, unknown names refused", "[alerts][book]") {
  for (auto severity :
       {AlertSeverity::low, AlertSeverity::medium, AlertSeverity::high, AlertSeverity::critical})
    CHECK(parse_alert_severity(to_string(severity)) == severity);
  CHECK(std::string(to_string(AlertSeverity::critical)) == "critical");
  CHECK_FALSE(parse_alert_severity("urgent"));
  CHECK_FALSE(parse_alert_severity("High"));
}
