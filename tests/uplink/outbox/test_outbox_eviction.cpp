#include "tests/uplink/outbox/outbox_test_support.hpp"
#include "uplink/outbox/outbox_store.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace roomd {
namespace {

using test::outbox_options;
using test::read_all;
using test::TempDir;

// design.md's order: debug/info logs, status, warn+ logs and alerts, events, exec.
int worth(const Json& record) {
  const auto kind = record["kind"].get<std::string>();
  return static_cast<int>(value_of(kind, record));
}

// What the stored records' `evicted` records say was removed, as (epoch, seq) -> kind.
std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> reported_gaps(
    const std::vector<Json>& records) {
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> out;
  for (const auto& record : records) {
    if (record["kind"] != "evicted") continue;
    for (const auto& gap : record["gaps"]) {
      for (const auto& range : gap["seqs"]) {
        for (auto seq = range[0].get<std::uint64_t>(); seq <= range[1].get<std::uint64_t>();
             ++seq) {
          out[{gap["epoch"].get<std::uint64_t>(), seq}] = "?";
        }
      }
    }
  }
  return out;
}

// Ranges of consecutive values, as design.md's "seqs".
Json ranges_of(const std::vector<std::uint64_t>& seqs) {
  Json out = Json::array();
  for (auto seq : seqs) {
    if (!out.empty() && out.back()[1].get<std::uint64_t>() + 1 == seq) {
      out.back()[1] = seq;
    } else {
      out.push_back({seq, seq});
    }
  }
  return out;
}

const std::vector<std::pair<std::string, Json>> kMix = {
    {"exec", {{"key", "k"}, {"via", "ws"}, {"method", "power"}, {"ok", true}}},
    {"event", {{"module", "mod-1"}, {"event", "connected"}, {"detail", ""}}},
    {"log", {{"module", "mod-1"}, {"level", "warn"}, {"msg", "no answer"}}},
    {"alert", {{"id", "a1"}, {"title", "hot"}, {"severity", "high"}, {"state", "raised"}}},
    {"status", {{"module", "mod-1"}, {"name", "volume"}, {"value", 10}}},
    {"log", {{"module", "mod-1"}, {"level", "debug"}, {"msg", "sent power?"}}},
    {"log", {{"module", "mod-1"}, {"level", "info"}, {"msg", "connected to 10.0.0.5"}}},
};

TEST_CASE(
    "outbox over its byte bound evicts debug and info logs first, then the oldest "
    "status, and reports the gaps in one evicted record",
    "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  const double now = unix_now();
  // Boot 1 stores 14 rounds of the mix with room to spare; what it holds is measured.
  std::map<std::uint64_t, Json> appended;
  std::map<std::uint64_t, std::size_t> sizes;
  std::uint64_t low_log_bytes = 0;
  std::uint64_t status_bytes = 0;
  {
    Outbox outbox(options);
    for (int round = 0; round < 14; ++round) {
      for (const auto& [kind, fields] : kMix) outbox.append(kind, now, fields);
    }
    outbox.flush();
    for (const auto& record : outbox.read_after({}, 1000)) {
      appended[record.seq] = Json::parse(record.text);
      sizes[record.seq] = record.text.size();
      const int w = worth(appended[record.seq]);
      if (w == static_cast<int>(RecordValue::low_log)) low_log_bytes += record.text.size();
      if (w == static_cast<int>(RecordValue::telemetry)) status_bytes += record.text.size();
    }
  }
  // Boot 2 has a bound that 60 new status records overflow by every low log and about half
  // of boot 1's status records.
  std::uint64_t new_bytes = 0;
  std::vector<Json> new_fields;
  for (int i = 0; i < 60; ++i) {
    new_fields.push_back({{"module", "mod-2"}, {"name", "temperature"}, {"value", i}});
    new_bytes += record_text(options.box_id, {2, static_cast<std::uint64_t>(i + 1)}, now, "status",
                             new_fields.back())
                     .size();
  }
  std::uint64_t stored_bytes = 0;
  for (const auto& [seq, size] : sizes) stored_bytes += size;
  const std::uint64_t target = stored_bytes + new_bytes - low_log_bytes - status_bytes / 2;
  options.max_bytes = target * 20 / 19;
  const std::uint64_t low_water = options.max_bytes - options.max_bytes / 20;
  REQUIRE(stored_bytes + new_bytes > options.max_bytes);

  Outbox outbox(options);
  for (auto& fields : new_fields) outbox.append("status", now, std::move(fields));
  outbox.flush();

  auto records = read_all(outbox);
  const auto stored = outbox.read_after({}, 1000);
  std::vector<Json> evicted_records;
  std::set<std::uint64_t> kept;  // of epoch 1
  std::uint64_t kept_bytes = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i]["kind"] == "evicted") {
      evicted_records.push_back(records[i]);
    } else {
      kept_bytes += stored[i].text.size();
    }
    if (records[i]["epoch"] == 1) kept.insert(records[i]["seq"].get<std::uint64_t>());
  }
  REQUIRE(evicted_records.size() == 1);
  CHECK(evicted_records[0]["epoch"] == 2);
  CHECK(evicted_records[0]["seq"] == 61);  // appended by the pass, after the batch
  CHECK(outbox.stats().committed_seq == 61);

  // Which seqs went, and of what kinds.
  std::vector<std::uint64_t> gone;
  std::map<std::string, std::uint64_t, std::less<>> gone_kinds;
  int max_gone_worth = -1;
  std::uint64_t last_status_gone = 0;
  for (const auto& [seq, record] : appended) {
    if (kept.count(seq)) continue;
    gone.push_back(seq);
    gone_kinds[record["kind"].get<std::string>()]++;
    max_gone_worth = std::max(max_gone_worth, worth(record));
    if (record["kind"] == "status") last_status_gone = seq;
  }
  CHECK(max_gone_worth == static_cast<int>(RecordValue::telemetry));
  CHECK(gone_kinds.at("log") == 28);  // every debug and info log, not one warning
  CHECK(gone_kinds.count("status") == 1);
  for (const auto& [seq, record] : appended) {
    if (kept.count(seq) && record["kind"] == "status") CHECK(seq > last_status_gone);
    if (worth(record) < static_cast<int>(RecordValue::telemetry)) CHECK_FALSE(kept.count(seq));
    if (worth(record) > static_cast<int>(RecordValue::telemetry)) CHECK(kept.count(seq));
  }
  CHECK(records.size() == appended.size() - gone.size() + 61);  // every new status kept

  // Exactly design.md's gaps: the epoch touched, its ranges, count and kinds.
  Json kinds(gone_kinds);
  CHECK(evicted_records[0]["gaps"] ==
        Json::array(
            {{{"epoch", 1}, {"seqs", ranges_of(gone)}, {"count", gone.size()}, {"kinds", kinds}}}));

  // Down to the low water mark (95% of max_bytes) and not one record further.
  CHECK(kept_bytes <= low_water);
  CHECK(kept_bytes + sizes[last_status_gone] > low_water);
  CHECK(outbox.stats().bytes <= options.max_bytes);
  CHECK(outbox.stats().bytes == kept_bytes + stored.back().text.size());

  CHECK(outbox.stats().evicted == gone_kinds);
  CHECK(outbox.stats().to_json()["evicted"] == kinds);
  CHECK(outbox.evicted_by_epoch() == EvictionCounts{{1, gone_kinds}});
  outbox.stop();

  // The counters are persisted.
  Outbox reopened(options);
  CHECK(reopened.stats().evicted == gone_kinds);
  CHECK(reopened.evicted_by_epoch() == EvictionCounts{{1, gone_kinds}});
}

TEST_CASE("outbox keeps evicting up the order and never evicts its evicted records", "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  options.max_bytes = 12000;
  Outbox outbox(options);
  const double now = unix_now();
  for (int round = 0; round < 10; ++round) {
    for (const auto& [kind, fields] : kMix) outbox.append(kind, now, fields);
  }
  outbox.flush();
  // Only exec records from here on, one commit at a time: everything else goes, lowest first.
  for (int i = 0; i < 150; ++i) {
    outbox.append("exec", now, {{"key", "k"}, {"via", "mqtt"}, {"method", "volume"}, {"i", i}});
    if (i % 10 == 9) outbox.flush();
  }
  outbox.flush();

  auto records = read_all(outbox);
  std::map<std::uint64_t, std::string> kept;
  std::vector<Json> passes;
  for (const auto& record : records) {
    kept[record["seq"].get<std::uint64_t>()] = record["kind"].get<std::string>();
    if (record["kind"] == "evicted") passes.push_back(record);
  }
  REQUIRE(passes.size() > 3);
  // Every evicted record is still there: its seqs were never reported as a gap.
  auto gaps = reported_gaps(records);
  for (const auto& pass : passes) CHECK_FALSE(gaps.count({1, pass["seq"].get<std::uint64_t>()}));
  // Passes climb the order: a pass never removes a kind worth less than the previous one's
  // most valuable (only exec records were appended after the first pass).
  int previous_max = -1;
  for (const auto& pass : passes) {
    int min_worth = 99;
    int max_worth = -1;
    for (const auto& [kind, count] : pass["gaps"][0]["kinds"].items()) {
      (void)count;
      int w = kind == "log" ? -1 : static_cast<int>(value_of(kind, Json::object()));
      if (w < 0) continue;  // debug and warn logs share the kind; their order is checked below
      min_worth = std::min(min_worth, w);
      max_worth = std::max(max_worth, w);
    }
    if (max_worth < 0) continue;
    CHECK(min_worth >= previous_max);
    previous_max = max_worth;
  }
  // Nothing less valuable than the most valuable evicted kind is left (exec are the newest).
  CHECK(outbox.stats().evicted.count("exec") == 1);
  for (const auto& record : records) {
    CHECK((record["kind"] == "exec" || record["kind"] == "evicted"));
  }
  // Every seq below the last is either stored or in exactly one evicted record's gaps.
  for (std::uint64_t seq = 1; seq <= outbox.stats().committed_seq; ++seq) {
    CHECK(kept.count(seq) + gaps.count({1, seq}) == 1);
  }
  std::uint64_t total = 0;
  for (const auto& [kind, count] : outbox.stats().evicted) total += count;
  CHECK(total == gaps.size());
}

TEST_CASE("outbox evicts records older than max_age whatever their kind", "[outbox]") {
  TempDir dir;
  auto options = outbox_options(dir);
  options.max_age = std::chrono::hours(1);
  Outbox outbox(options);
  const double now = unix_now();
  outbox.append("exec", now - 7200, {{"method", "power"}});
  outbox.append("status", now - 7100, {{"name", "power"}, {"value", true}});
  outbox.append("log", now - 3700, {{"level", "error"}, {"msg", "gone"}});
  outbox.append("event", now - 60, {{"event", "connected"}});
  outbox.flush();

  // The four may be committed in one batch or, on a slow machine, two: each eviction pass
  // leaves one `evicted` record, so what is checked is what they say together.
  const auto records = read_all(outbox);
  std::vector<Json> kept;
  std::set<std::int64_t> gone;
  std::map<std::string, int> kinds;
  for (const auto& record : records) {
    if (record["kind"] != "evicted") {
      kept.push_back(record);
      continue;
    }
    for (const auto& gap : record["gaps"]) {
      CHECK(gap["epoch"] == 1);
      for (const auto& range : gap["seqs"])
        for (auto seq = range[0].get<std::int64_t>(); seq <= range[1].get<std::int64_t>(); ++seq)
          gone.insert(seq);
      for (const auto& [kind, count] : gap["kinds"].items()) kinds[kind] += count.get<int>();
    }
  }
  REQUIRE(kept.size() == 1);
  CHECK(kept[0]["kind"] == "event");
  CHECK(gone.size() == 3);
  CHECK(gone.count(kept[0]["seq"].get<std::int64_t>()) == 0);
  CHECK(kinds == std::map<std::string, int>{{"exec", 1}, {"log", 1}, {"status", 1}});
  CHECK(outbox.stats().evicted ==
        std::map<std::string, std::uint64_t, std::less<>>{{"exec", 1}, {"log", 1}, {"status", 1}});
  CHECK(outbox.stats().pending == records.size());
}

}  // namespace
}  // namespace roomd
