// Shared by the outbox tests: options on a temp dir, reading every stored record back as JSON,
// and SQLite's own integrity check on the file.
#pragma once

#include "base/wall_clock.hpp"
#include "runtime/database.hpp"
#include "tests/support/temp_dir.hpp"
#include "uplink/outbox/outbox.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace roomd::test {

inline OutboxOptions outbox_options(const TempDir& dir) {
  OutboxOptions options;
  options.dir = dir.path();
  options.box_id = "room-101";
  options.commit_every = std::chrono::milliseconds(2);
  options.batch_max = 100;
  options.log = [](LogLevel, std::string) {};
  return options;
}

// Every stored record, parsed, in the order read_after gives them.
inline std::vector<Json> read_all(Outbox& outbox) {
  std::vector<Json> out;
  Cursor after;
  for (;;) {
    auto page = outbox.read_after(after, 1000);
    if (page.empty()) return out;
    for (auto& record : page) out.push_back(Json::parse(record.text));
    after = {page.back().epoch, page.back().seq};
  }
}

inline std::string integrity_check(const std::string& path) {
  Database db(path, "outbox database");
  auto check = db.prepare("PRAGMA integrity_check");
  return check.step() ? std::string(check.column_text(0)) : "no answer";
}

}  // namespace roomd::test
