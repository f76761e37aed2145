// A small RAII wrapper over one SQLite connection, shared by the state store's persistence and
// the outbox: opens the file in WAL mode (creating the state directory), and turns every
// SQLite failure into a std::runtime_error that names the database file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace roomd {

class Statement;

class Database {
 public:
  // Opens (creating if needed) the file and its parent directories, with
  // journal_mode=WAL, synchronous=NORMAL and a busy timeout. `what` names the database in
  // error messages, e.g. "state database /var/lib/roomd/roomd.db: unable to open ...".
  explicit Database(const std::string& path, std::string_view what = "database");
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows the caller needs.
  void exec(const std::string& sql);
  Statement prepare(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  int changes() const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  friend class Statement;
  [[noreturn]] void fail(std::string_view message) const;
  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::string path_;
  std::string label_;  // "<what> <path>", the prefix of every error message
};

// A prepared statement. Parameter indexes are 1-based (SQLite's), column indexes 0-based.
// Not thread-safe; the Database must outlive it.
class Statement {
 public:
  Statement() = default;
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Named per type: overloads on int64/double would make bind(1, 42) ambiguous.
  Statement& bind_text(int index, std::string_view text);
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind_double(int index, double value);
  Statement& bind_null(int index);

  // True when a row is ready to read; false when the statement has finished. On failure the
  // statement is reset (so it can be reused) and the error thrown.
  bool step();
  // Steps to completion, then resets, for statements whose rows nobody reads.
  void run();
  // Back to the start with all parameters cleared.
  void reset();

  int column_count() const;
  bool column_is_null(int column) const;
  // Valid until the next step(), reset() or destruction.
  std::string_view column_text(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;

  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  [[noreturn]] void fail(int code) const;
  void check_bind(int code) const;

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  // A copy rather than a pointer to the Database, which may move after the prepare.
  std::string label_;
};

}  // namespace roomd
