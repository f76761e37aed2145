// Counts the API's open TCP connections, in total and per client address, from the moment
// they are accepted (before any request), so idle or half-open sockets cannot take every
// file descriptor of the box. A connection holds a slot until its socket is closed. When the
// server is full, the connection that has waited longest for a request head is closed to
// make room: a client that talks gets in, however many sockets sit idle.
#pragma once

#include "uplink/http/beast.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <variant>

namespace roomd {

class ConnectionLimits;

// One admitted connection's place; released when destroyed, which may be after the server
// is gone (a handler destroyed with the io_context), hence the shared owner. Move-only.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept { *this = std::move(other); }
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ~ConnectionSlot() { release(); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  void release();
  explicit operator bool() const { return limits_ != nullptr; }

  // While set, the connection waits for a request head and may be closed to make room for a
  // new one: `evict` must release this slot (and close the socket).
  void wait_for_request(std::function<void()> evict);
  void request_arrived();

 private:
  friend class ConnectionLimits;
  ConnectionSlot(std::shared_ptr<ConnectionLimits> limits, asio::ip::address address, bool refusal)
      : limits_(std::move(limits)), address_(std::move(address)), refusal_(refusal) {}

  std::shared_ptr<ConnectionLimits> limits_;
  asio::ip::address address_;
  bool refusal_ = false;
  std::uint64_t waiting_ = 0;  // its key among the limits' waiting connections; 0: none
};

enum class Refusal { server_full, address_full };

class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
 public:
  // Refused connections get a short answer before they are closed; at most this many at a
  // time, beyond which they are closed at once (a flood gets no courtesy).
  static constexpr std::size_t kMaxRefusing = 64;

  // Always held by a shared_ptr (slots share it).
  ConnectionLimits(std::size_t max_total, std::size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  // A slot for a new connection from `address`, or why there is none.
  std::variant<ConnectionSlot, Refusal> admit(const asio::ip::address& address);
  // A slot for answering a refused connection; empty when too many are being answered.
  ConnectionSlot admit_refusal();

  std::size_t open() const { return open_; }
  std::size_t waiting() const { return waiting_.size(); }
  std::uint64_t evicted() const { return evicted_; }
  std::size_t open_from(const asio::ip::address& address) const;
  std::size_t refusing() const { return refusing_; }
  std::size_t max_total() const { return max_total_; }
  std::size_t max_per_address() const { return max_per_address_; }
  // Lowers the total bound (the process's file limit leaves no room for more).
  void cap_total(std::size_t max_total) { max_total_ = max_total; }

 private:
  friend class ConnectionSlot;
  void release(const asio::ip::address& address, bool refusal);

  std::size_t max_total_;
  std::size_t max_per_address_;
  std::size_t open_ = 0;
  std::size_t refusing_ = 0;
  std::map<asio::ip::address, std::size_t> per_address_;
  // Connections waiting for a request head, oldest first (keys grow).
  std::map<std::uint64_t, std::function<void()>> waiting_;
  std::uint64_t next_waiting_ = 1;
  std::uint64_t evicted_ = 0;
};

// The address a client is counted under: an IPv4 client of an IPv6 listener is the IPv4
// address, so it shares its count with its plain IPv4 connections.
asio::ip::address client_address(const asio::ip::address& address);

}  // namespace roomd
