// Module over a byte link (TCP, UDP, serial): link up and down, bytes cut into frames for
// the driver, and the bytes it sends, through the queue or written directly.
#include "runtime/module.hpp"

#include "runtime/sdk/printable.hpp"

namespace roomd {

void Module::on_link_up() {
  link_up_ = true;
  connect_failures_ = 0;
  tokenizer_->clear();
  log_.info("connected to ", transport_->describe());
  if (!driver_.info.handshake) set_online(true);
  spawn(instance_->connected(), "connected");
}

void Module::on_link_down(const error_code& ec) {
  if (!link_up_) {
    // Failed attempts repeat every few seconds while a device is off: say it once loudly.
    auto detail = transport_->last_error();
    if (detail.empty()) detail = transport_->describe() + ": " + ec.message();
    if (connect_failures_++ == 0)
      log_.warn("cannot connect: ", detail,
                "; retrying with backoff (check the device is on and reachable)");
    else
      log_.debug("still cannot connect: ", detail);
    return;
  }
  link_up_ = false;
  tokenizer_->clear();
  log_.warn("disconnected from ", transport_->describe(), ": ", ec.message(), "; reconnecting");
  set_online(false);
  try {
    instance_->disconnected();
  } catch (...) {
    fail("disconnected", std::current_exception());
  }
}

void Module::on_bytes(std::string_view bytes) {
  auto generation = generation_;
  std::exception_ptr error;
  std::string failed_frame;
  tokenizer_->feed(bytes, [&, generation](std::string_view frame) {
    if (error || generation != generation_) return;
    log_received(frame);
    try {
      auto* pending = queue_->pending();
      auto outcome = instance_->received(frame, pending);
      if (pending && outcome == Received::success && !pending->result_is_set())
        pending->set_result(std::string(frame));
      queue_->resolve_pending(outcome);
    } catch (...) {
      error = std::current_exception();
      failed_frame = masked(frame);
    }
  });
  // Only now: failing unloads the module, and with it the tokenizer that was feeding us.
  if (error && generation == generation_) fail("received(\"" + failed_frame + "\")", error);
}

Task<Json> Module::send(std::string bytes, SendOptions options) {
  if (!queue_) throw RequestFailed(config_.id + " is stopped; command not sent");
  auto queue = queue_;  // the module may unload while this waits
  co_return co_await queue->send(std::move(bytes), std::move(options));
}

bool Module::write(std::string bytes) {
  return write_secret(std::move(bytes), 0);
}

bool Module::write_secret(std::string bytes, std::size_t secret_length) {
  if (!transport_ || !link_up_) return false;
  log_sent(bytes, secret_length);
  return transport_->write(std::move(bytes));
}

void Module::reconnect() {
  if (transport_) transport_->reconnect();
}

void Module::log_sent(std::string_view bytes, std::size_t secret_length) const {
  if (!log_.enabled(LogLevel::debug)) return;
  // Passwords and digests stay out of the log at every level: only their length shows.
  const auto hidden = std::min(secret_length, bytes.size());
  std::string line = "-> ";
  if (hidden > 0) {
    line += '<';
    line += std::to_string(hidden);
    line += " secret bytes>";
  }
  line += masked(bytes.substr(hidden));
  log_.write(LogLevel::debug, line);
}

void Module::log_received(std::string_view frame) const {
  if (!log_.enabled(LogLevel::debug)) return;
  log_.write(LogLevel::debug, "<- " + masked(frame));
}

std::string Module::masked(std::string_view bytes) const {
  auto text = printable(bytes);
  // A secret setting sent without write_secret, or echoed by the device, is still masked.
  for (const auto& setting : driver_.info.settings) {
    if (!setting.secret) continue;
    auto value = settings_.find(setting.name);
    if (value == settings_.end() || !value->is_string()) continue;
    const auto secret = printable(value->get_ref<const std::string&>());
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 8))
      text.replace(at, secret.size(), "<secret>");
  }
  return text;
}

}  // namespace roomd
