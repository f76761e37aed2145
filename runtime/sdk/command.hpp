// One request to a device in a module's queue, and how the driver answers it from
// `received`. The queue owns commands; a driver only sees the pending one.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace roomd {

// A command's name, held inside the options: SendOptions owns its name and yet stays
// trivially copyable and trivially destructible. g++ 12 destroys an aggregate temporary
// that owns memory twice when it is built inside a co_await expression
// (`co_await send(bytes, {.name = ...})`), and a name that only viewed the caller's string
// dangled once the expression that built it was over; this has neither problem, so drivers
// write `{.name = "mute_" + what}` as they would anywhere else.
class CommandName {
 public:
  static constexpr std::size_t kMaxLength = 63;

  CommandName() = default;
  // Longer names throw std::length_error: a name is a short key ("power", "input_3").
  CommandName(std::string_view text) {  // NOLINT: implicit on purpose, {.name = text}
    if (text.size() > kMaxLength)
      throw std::length_error("command name \"" + std::string(text.substr(0, 20)) +
                              "...\" is longer than " + std::to_string(kMaxLength) + " characters");
    std::memcpy(text_, text.data(), text.size());
    length_ = static_cast<std::uint8_t>(text.size());
  }
  CommandName(const char* text) : CommandName(std::string_view(text)) {}
  CommandName(const std::string& text) : CommandName(std::string_view(text)) {}

  std::string_view view() const { return {text_, length_}; }
  bool empty() const { return length_ == 0; }

 private:
  char text_[kMaxLength + 1] = {};
  std::uint8_t length_ = 0;
};

struct SendOptions {
  CommandName name;            // a queued command with the same name is replaced by this one
  int priority = 50;           // higher goes first; polls use less than user actions
  Duration timeout{5000};      // per attempt, waiting for the device's reply
  int retries = 2;             // further attempts after a timeout or a `retry`
  bool wait = true;            // false: done once written (fire and forget)
  Duration delay{0};           // quiet time after this command before the next one
  Duration max_queued{60000};  // how long a named command may wait for a reconnect
};
static_assert(std::is_trivially_copyable_v<SendOptions> &&
                  std::is_trivially_destructible_v<SendOptions>,
              "SendOptions is built inside co_await expressions: see CommandName");

// What the driver's `received` says about a frame and the pending command.
enum class Received {
  success,  // the frame answers the pending command: it completes
  retry,    // the device wants it again (busy): resend, counting an attempt
  ignore,   // not an answer to the pending command (unsolicited, echo): keep waiting
  abort,    // the device refused it: the command fails with its error
};

class Command {
 public:
  Command(std::string bytes, SendOptions options)
      : bytes_(std::move(bytes)), name_(options.name.view()), options_(options) {}
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  const std::string& bytes() const { return bytes_; }
  const SendOptions& options() const { return options_; }
  const std::string& name() const { return name_; }
  int attempts() const { return attempts_; }

  // The value the waiting method receives (default: the answering frame as a string).
  void set_result(Json value) { result_ = std::move(value); }
  // The error text the waiting method raises when `received` returns abort.
  void set_error(std::string message) { error_ = std::move(message); }
  bool result_is_set() const { return result_.has_value(); }

 private:
  friend class CommandQueue;

  std::string bytes_;
  std::string name_;
  SendOptions options_;
  int attempts_ = 0;
  std::optional<Json> result_;
  std::string error_;
  bool done_ = false;
  bool failed_ = false;
  Clock::time_point queued_at_ = Clock::now();
  // Earlier commands with the same name that this one replaced; they end as it ends.
  std::vector<std::shared_ptr<Command>> replaced_;
  // Wakes the waiting method: never expires, cancelled when the command ends.
  std::unique_ptr<asio::steady_timer> signal_;
};

}  // namespace roomd
