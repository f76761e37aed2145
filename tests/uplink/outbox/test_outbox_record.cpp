#include "uplink/outbox/eviction_report.hpp"
#include "uplink/outbox/outbox_record.hpp"
#include "uplink/outbox/outbox_stats.hpp"

#include <catch2/catch.hpp>

namespace roomd {
namespace {

TEST_CASE("outbox record text puts the envelope first, then the kind's fields", "[outbox]") {
  auto text = record_text("room-101", {3, 42}, 1733400000.25, "status",
                          Json{{"sys", "sys-1"}, {"name", "power"}, {"value", true}});
  CHECK(text == R"({"box":"room-101","epoch":3,"seq":42,"ts":1733400000.25,"kind":"status",)"
                R"("name":"power","sys":"sys-1","value":true})");
}

TEST_CASE("outbox record fields cannot overwrite the envelope", "[outbox]") {
  auto text = record_text("b", {1, 2}, 5.0, "log",
                          Json{{"seq", 99}, {"box", "x"}, {"msg", "hi"}, {"level", "warn"}});
  auto parsed = Json::parse(text);
  CHECK(parsed["seq"] == 2);
  CHECK(parsed["box"] == "b");
  CHECK(parsed["msg"] == "hi");
  CHECK(Json::parse(record_text("b", {1, 1}, 5.0, "event", Json())) ==
        Json{{"box", "b"}, {"epoch", 1}, {"seq", 1}, {"ts", 5.0}, {"kind", "event"}});
  CHECK(Json::parse(record_text("b", {1, 1}, 5.0, "event", Json(7)))["value"] == 7);
}

TEST_CASE("outbox record values follow design.md's eviction order", "[outbox]") {
  CHECK(value_of("log", Json{{"level", "debug"}}) == RecordValue::low_log);
  CHECK(value_of("log", Json{{"level", "info"}}) == RecordValue::low_log);
  CHECK(value_of("status", Json::object()) == RecordValue::telemetry);
  CHECK(value_of("log", Json{{"level", "warn"}}) == RecordValue::warning);
  CHECK(value_of("log", Json{{"level", "error"}}) == RecordValue::warning);
  CHECK(value_of("alert", Json::object()) == RecordValue::warning);
  CHECK(value_of("event", Json::object()) == RecordValue::event);
  CHECK(value_of("exec", Json::object()) == RecordValue::audit);
}

TEST_CASE("outbox keys sort by epoch then seq", "[outbox]") {
  CHECK(record_key({1, kMaxSeq}) < record_key({2, 1}));
  CHECK(cursor_of(record_key({7, 123456})) == Cursor{7, 123456});
}

TEST_CASE("eviction gaps name consecutive seq ranges per epoch with per-kind counts", "[outbox]") {
  EvictionReport report;
  report.add({2, 5}, "status");
  report.add({1, 9}, "log");
  report.add({2, 3}, "log");
  report.add({2, 4}, "log");
  report.add({1, 7}, "log");
  CHECK(report.gaps() == Json::parse(R"([
    {"epoch": 1, "seqs": [[7, 7], [9, 9]], "count": 2, "kinds": {"log": 2}},
    {"epoch": 2, "seqs": [[3, 5]], "count": 3, "kinds": {"log": 2, "status": 1}}])"));
  EvictionCounts totals;
  report.count_into(totals);
  report.count_into(totals);
  CHECK(totals[1]["log"] == 4);
  CHECK(totals[2]["status"] == 2);
}

TEST_CASE("outbox stats give the endpoint's body", "[outbox]") {
  OutboxStats stats;
  stats.epoch = 4;
  stats.committed_seq = 10;
  stats.acked_seq = 8;
  stats.pending = 2;
  stats.bytes = 300;
  stats.evicted["log"] = 5;
  stats.refused = 1;
  CHECK(stats.to_json() == Json::parse(R"({"epoch": 4, "committed_seq": 10, "acked_seq": 8,
    "pending": 2, "bytes": 300, "evicted": {"log": 5}, "refused": 1})"));
}

}  // namespace
}  // namespace roomd
