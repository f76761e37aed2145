#include "runtime/database.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace roomd {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Most open failures on a box are a state_dir the service user cannot write.
constexpr std::string_view kPermissionHint = " (check state_dir permissions)";

bool is_permission_like(int code) {
  switch (code & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return true;
    default:
      return false;
  }
}

bool is_special_path(const std::string& path) {
  return path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
}

}  // namespace

Database::Database(const std::string& path, std::string_view what)
    : path_(path), label_(std::string(what) + " " + path) {
  if (!is_special_path(path)) {
    auto parent = std::filesystem::path(path).parent_path();
    std::error_code error;
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    if (error) {
      throw std::runtime_error(label_ + ": cannot create directory " + parent.string() + ": " +
                               error.message() + std::string(kPermissionHint));
    }
  }

  int code =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (code != SQLITE_OK) {
    // sqlite3_open_v2 hands back a handle even on failure; it carries the message.
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    close();
    if (is_permission_like(code)) message += kPermissionHint;
    throw std::runtime_error(label_ + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    // The first statement is where an unreadable or read-only file shows up.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
  } catch (const std::runtime_error& error) {
    int last = sqlite3_errcode(db_);
    close();
    std::string message = error.what();
    if (is_permission_like(last) || (last & 0xff) == SQLITE_IOERR) message += kPermissionHint;
    throw std::runtime_error(message);
  }
}

Database::~Database() {
  close();
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      label_(std::move(other.label_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    label_ = std::move(other.label_);
  }
  return *this;
}

void Database::close() noexcept {
  // sqlite3_close_v2 defers the close until any forgotten statements are finalized.
  if (db_) sqlite3_close_v2(std::exchange(db_, nullptr));
}

void Database::exec(const std::string& sql) {
  if (!db_) throw std::runtime_error(label_ + ": not open");
  char* error = nullptr;
  int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(code);
    sqlite3_free(error);
    fail(message);
  }
}

Statement Database::prepare(std::string_view sql) {
  return Statement(*this, sql);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

void Database::fail(std::string_view message) const {
  throw std::runtime_error(label_ + ": " + std::string(message));
}

Statement::Statement(Database& db, std::string_view sql) : db_(db.db_), label_(db.label_) {
  if (!db_) throw std::runtime_error(label_ + ": not open");
  int code = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (code != SQLITE_OK) {
    throw std::runtime_error(label_ + ": " + sqlite3_errmsg(db_) + " in: " + std::string(sql));
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(std::exchange(other.db_, nullptr)),
      label_(std::move(other.label_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = std::exchange(other.db_, nullptr);
    label_ = std::move(other.label_);
  }
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view text) {
  check_bind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_int64(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  check_bind(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

bool Statement::step() {
  int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  fail(code);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string_view Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!text) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

void Statement::fail(int code) const {
  std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  const char* sql = stmt_ ? sqlite3_sql(stmt_) : nullptr;
  if (stmt_) sqlite3_reset(stmt_);
  throw std::runtime_error(label_ + ": " + message + (sql ? std::string(" in: ") + sql : ""));
}

void Statement::check_bind(int code) const {
  if (code != SQLITE_OK) fail(code);
}

}  // namespace roomd
