#include "drivers/samsung_mdc/mdc_simulator.hpp"

#include "drivers/samsung_mdc/mdc_frame.hpp"

#include <random>
#include <stdexcept>
#include <utility>

namespace roomd::samsung_mdc {

namespace {

// Longest command this simulator accepts; a real display's buffer is small too, and a bound
// keeps a confused client from growing it without end.
constexpr std::size_t kMaxBuffer = 512;

}  // namespace

struct MdcSimulator::Core {
  std::map<std::uint8_t, DisplayState> displays;
  Fault fault = Fault::none;
  std::uint8_t nak_error = kNakBadValue;
  std::vector<std::string> received;
  std::vector<std::string> sent;
  std::minstd_rand rng{std::random_device{}()};

  // The answer to one well-formed command, or nothing (unknown id, broadcast).
  std::optional<std::string> answer(const Frame& command) {
    auto it = displays.find(command.id);
    if (it == displays.end()) return std::nullopt;
    auto& display = it->second;
    auto nak = [&](std::uint8_t error) {
      return make_reply(command.id, false, command.command,
                        std::string(1, static_cast<char>(error)));
    };
    if (fault == Fault::nak) return nak(nak_error);
    const bool set = !command.data.empty();
    const auto value = set ? static_cast<std::uint8_t>(command.data[0]) : 0;
    auto ack = [&](std::initializer_list<int> values) {
      std::string data;
      for (int v : values) data += static_cast<char>(v);
      return make_reply(command.id, true, command.command, data);
    };
    switch (command.command) {
      case kCmdStatus:
        if (set) return nak(kNakBadValue);
        return ack({display.power ? 1 : 0, display.volume, display.mute ? 1 : 0, display.input,
                    display.aspect, 0, 0});
      case kCmdPower:
        if (set) {
          if (value > 1) return nak(kNakBadValue);
          display.power = value == 1;
        }
        return ack({display.power ? 1 : 0});
      case kCmdVolume:
        if (set) {
          if (value > 100) return nak(kNakBadValue);
          display.volume = value;
        }
        return ack({display.volume});
      case kCmdMute:
        if (set) {
          if (value > 1) return nak(kNakBadValue);
          display.mute = value == 1;
        }
        return ack({display.mute ? 1 : 0});
      case kCmdInput:
        if (set) {
          if (input_name(value).starts_with("0x")) return nak(kNakBadValue);
          display.input = value;
        }
        return ack({display.input});
      default:
        return nak(kNakUnknownCommand);
    }
  }

  // Low bytes never contain 0xAA; the header that follows claims more data than any MDC
  // reply carries, so a driver must drop it and find the real answer's 0xAA.
  std::string garbage() {
    std::uniform_int_distribution<int> length(1, 8);
    std::uniform_int_distribution<int> byte(0x00, 0x7F);
    std::string out(static_cast<std::size_t>(length(rng)), '\0');
    for (auto& c : out) c = static_cast<char>(byte(rng));
    out += "\xAA\xFF\x01\xF0";
    return out;
  }

  // What goes on the wire for an answer under the current fault.
  std::string disguise(std::string reply) {
    if (fault == Fault::bad_checksum) {
      reply.back() = static_cast<char>(reply.back() ^ 0x5A);
    } else if (fault == Fault::wrong_id) {
      auto frame = parse_frame(reply);
      auto data = frame->data;
      reply = make_frame(frame->command, static_cast<std::uint8_t>(frame->id + 1), data);
    } else if (fault == Fault::garbage) {
      reply = garbage() + reply;
    }
    return reply;
  }
};

// One line's byte stream: splits it into frames at each 0xAA, as a display's UART does.
class MdcSimulator::Session : public sim::Handler {
 public:
  explicit Session(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  void on_bytes(sim::Connection& line, std::string_view bytes) override {
    buffer_ += bytes;
    for (;;) {
      auto at = buffer_.find(static_cast<char>(kHeader));
      if (at == std::string::npos) {
        buffer_.clear();
        return;
      }
      buffer_.erase(0, at);
      auto size = frame_size(buffer_);
      if (size == 0 || buffer_.size() < size) break;
      auto bytes_of_frame = buffer_.substr(0, size);
      buffer_.erase(0, size);
      if (!on_frame(line, bytes_of_frame)) return;
    }
    if (buffer_.size() > kMaxBuffer) buffer_.clear();
  }

 private:
  // False when the line was dropped: nothing more is read from this chunk.
  bool on_frame(sim::Connection& line, const std::string& bytes) {
    core_->received.push_back(bytes);
    auto frame = parse_frame(bytes);
    if (!frame) return true;  // a display ignores a frame with a bad checksum
    switch (core_->fault) {
      case Fault::no_answer:
        return true;
      case Fault::drop_connection:
        core_->fault = Fault::none;
        buffer_.clear();
        line.close();
        return false;
      default:
        break;
    }
    auto reply = core_->answer(*frame);
    if (!reply) return true;
    auto wire = core_->disguise(std::move(*reply));
    core_->sent.push_back(wire);
    line.send(std::move(wire));
    return true;
  }

  std::shared_ptr<Core> core_;
  std::string buffer_;
};

MdcSimulator::MdcSimulator(boost::asio::any_io_executor ex, std::vector<std::uint8_t> ids)
    : core_(std::make_shared<Core>()),
      server_(std::move(ex), [core = core_] { return std::make_unique<Session>(core); }) {
  for (auto id : ids) core_->displays[id] = DisplayState{};
}

MdcSimulator::~MdcSimulator() {
  server_.stop();
}

std::uint16_t MdcSimulator::listen_tcp(std::uint16_t port, const std::string& bind) {
  return server_.listen_tcp(bind, port);
}
void MdcSimulator::stop_tcp() {
  server_.stop_tcp();
}
std::uint16_t MdcSimulator::port() const {
  return server_.port();
}
std::string MdcSimulator::open_pty(const std::string& link) {
  return server_.open_pty(link);
}
void MdcSimulator::close_pty() {
  server_.close_pty();
}
void MdcSimulator::drop_clients() {
  server_.drop_clients();
}
std::size_t MdcSimulator::connections() const {
  return server_.connections();
}
void MdcSimulator::stop() {
  server_.stop();
}

void MdcSimulator::set_fault(Fault fault, std::uint8_t error_byte) {
  core_->fault = fault;
  core_->nak_error = error_byte;
}
Fault MdcSimulator::fault() const {
  return core_->fault;
}

DisplayState MdcSimulator::state(std::uint8_t id) const {
  return core_->displays.at(id);
}
void MdcSimulator::set_state(std::uint8_t id, DisplayState state) {
  if (!core_->displays.contains(id))
    throw std::out_of_range("MDC simulator: no display with id " + std::to_string(id));
  core_->displays[id] = state;
}

void MdcSimulator::send_raw(const std::string& bytes) {
  server_.broadcast(bytes);
}

std::vector<std::string> MdcSimulator::received() const {
  return core_->received;
}
std::vector<std::string> MdcSimulator::sent() const {
  return core_->sent;
}
void MdcSimulator::clear_log() {
  core_->received.clear();
  core_->sent.clear();
}

}  // namespace roomd::samsung_mdc
