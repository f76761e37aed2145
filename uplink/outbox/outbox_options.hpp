// How an Outbox is opened: where, for which box, its bounds, how hard it syncs and how it
// groups commits (config's `upstream.outbox`, design.md), and where its own warnings go.
#pragma once

#include "base/log_level.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace roomd {

// Called from the outbox's writer thread (or the opening thread) for its own warnings, e.g.
// a full disk; at most once a minute per kind of trouble.
using OutboxLog = std::function<void(LogLevel level, std::string message)>;

struct OutboxOptions {
  std::filesystem::path dir;  // the state directory: the database is dir/outbox.db
  std::string box_id;         // "box" of every record
  std::uint64_t max_bytes = std::uint64_t{256} << 20;          // records' JSON text, all epochs
  std::chrono::seconds max_age = std::chrono::hours(24 * 30);  // by each record's ts
  // true: synchronous=FULL, a commit survives a power cut. false: NORMAL, a power cut may
  // lose the last commits (never corrupts), for slow flash that cannot keep up.
  bool sync_full = true;
  // Group commit: a record waits at most this long for others to share its transaction,
  // and a transaction holds at most batch_max records.
  std::chrono::milliseconds commit_every{5};
  std::size_t batch_max = 1000;
  // Records queued and not yet committed; more are refused (counted, never blocking).
  std::size_t queue_max = 100000;
  OutboxLog log;
};

}  // namespace roomd
