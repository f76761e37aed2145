#include "uplink/http/connection_limits.hpp"

#include <utility>

namespace roomd {

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this == &other) return *this;
  release();
  limits_ = std::move(other.limits_);
  other.limits_.reset();
  address_ = other.address_;
  refusal_ = other.refusal_;
  waiting_ = std::exchange(other.waiting_, 0);
  return *this;
}

void ConnectionSlot::release() {
  request_arrived();
  if (auto limits = std::move(limits_)) {
    limits_.reset();
    limits->release(address_, refusal_);
  }
}

void ConnectionSlot::wait_for_request(std::function<void()> evict) {
  if (!limits_ || refusal_) return;
  request_arrived();
  waiting_ = limits_->next_waiting_++;
  limits_->waiting_.emplace(waiting_, std::move(evict));
}

void ConnectionSlot::request_arrived() {
  if (waiting_ == 0) return;
  if (limits_) limits_->waiting_.erase(waiting_);
  waiting_ = 0;
}

std::variant<ConnectionSlot, Refusal> ConnectionLimits::admit(const asio::ip::address& address) {
  const auto client = client_address(address);
  if (auto it = per_address_.find(client);
      it != per_address_.end() && it->second >= max_per_address_)
    return Refusal::address_full;
  if (open_ >= max_total_ && !waiting_.empty()) {
    auto evict = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    ++evicted_;
    evict();  // releases the oldest waiting connection's place
  }
  if (open_ >= max_total_) return Refusal::server_full;
  auto& from_client = per_address_[client];
  ++from_client;
  ++open_;
  return ConnectionSlot(shared_from_this(), client, false);
}

ConnectionSlot ConnectionLimits::admit_refusal() {
  if (refusing_ >= kMaxRefusing) return {};
  ++refusing_;
  return ConnectionSlot(shared_from_this(), {}, true);
}

std::size_t ConnectionLimits::open_from(const asio::ip::address& address) const {
  auto it = per_address_.find(client_address(address));
  return it == per_address_.end() ? 0 : it->second;
}

void ConnectionLimits::release(const asio::ip::address& address, bool refusal) {
  if (refusal) {
    --refusing_;
    return;
  }
  --open_;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

asio::ip::address client_address(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address;
}

}  // namespace roomd
