#include "drivers/extron_sis/extron_simulator.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <list>
#include <random>
#include <utility>

namespace roomd::extron {

namespace asio = boost::asio;

namespace {

// SIS commands are short; a client that streams digits without a command letter is not
// speaking SIS, and a bound keeps it from growing the buffer.
constexpr std::size_t kMaxCommand = 64;

std::optional<int> whole_number(std::string_view text) {
  int value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::string today() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S", &local);
  return text;
}

}  // namespace

SisDevice::SisDevice(const SimulatorOptions& options)
    : options_(options),
      video_(static_cast<std::size_t>(std::max(options.outputs, 1)), 1),
      audio_(static_cast<std::size_t>(std::max(options.outputs, 1)), 1),
      volume_(options.volume_max) {}

const char* SisDevice::layer_word(char layer) {
  switch (layer) {
    case '%':
      return "Vid";
    case '$':
      return "Aud";
    case '&':
      return "RGB";
    default:
      return "All";
  }
}

std::string SisDevice::number(int n) const {
  auto text = std::to_string(n);
  if (options_.zero_pad && text.size() < 2) text.insert(0, "0");
  return text;
}

std::string SisDevice::tie(int input, std::optional<int> output, char layer) {
  if (input > options_.inputs) return "E01";
  if (output && (*output < 1 || *output > static_cast<int>(video_.size()))) return "E12";
  for (std::size_t o = 0; o < video_.size(); ++o) {
    if (output && static_cast<int>(o) != *output - 1) continue;
    if (layer != '$') video_[o] = input;
    if (layer == '!' || layer == '$') audio_[o] = input;
  }
  std::string answer;
  if (output) answer = "Out" + number(*output) + " ";
  return answer + "In" + number(input) + " " + layer_word(layer);
}

std::string SisDevice::front_panel_tie(int input, int output, char layer) {
  return tie(input, output, layer);
}

int SisDevice::video_tie(int output) const {
  if (output < 1 || output > static_cast<int>(video_.size())) return -1;
  return video_[static_cast<std::size_t>(output - 1)];
}

int SisDevice::audio_tie(int output) const {
  if (output < 1 || output > static_cast<int>(audio_.size())) return -1;
  return audio_[static_cast<std::size_t>(output - 1)];
}

std::string SisDevice::handle(std::string_view command, int& verbose) {
  const bool tagged = verbose >= 2;
  if (command.starts_with('\x1b')) {
    auto body = command.substr(1);
    if (body.ends_with('\r')) body.remove_suffix(1);
    if (body == "CV") return "Vrb" + std::to_string(verbose);
    if (body.size() == 3 && body.ends_with("CV") && body[0] >= '0' && body[0] <= '3') {
      verbose = body[0] - '0';
      return "Vrb" + std::to_string(verbose);
    }
    return "E10";
  }
  if (command.empty()) return "E10";
  const char code = command.back();
  auto body = command.substr(0, command.size() - 1);
  switch (code) {
    case '!':
    case '%':
    case '$':
    case '&': {
      if (body.empty()) {
        auto input = code == '$' ? audio_[0] : video_[0];
        return tagged ? "In" + number(input) + " " + layer_word(code) : number(input);
      }
      auto star = body.find('*');
      auto input = whole_number(body.substr(0, star));
      if (!input) return "E13";
      if (star == std::string_view::npos) return tie(*input, std::nullopt, code);
      auto output = whole_number(body.substr(star + 1));
      if (!output) return "E13";
      return tie(*input, *output, code);
    }
    case 'V': {
      int level = volume_;
      if (body == "+") {
        level = std::min(volume_ + 1, options_.volume_max);
      } else if (body == "-") {
        level = std::max(volume_ - 1, 0);
      } else if (body.empty()) {
        return tagged ? "Vol" + std::to_string(volume_) : std::to_string(volume_);
      } else {
        auto n = whole_number(body);
        if (!n || *n > options_.volume_max) return "E13";
        level = *n;
      }
      volume_ = level;
      return "Vol" + std::to_string(volume_);
    }
    case 'Z':
    case 'B': {
      bool& muted = code == 'Z' ? audio_muted_ : video_muted_;
      const char* tag = code == 'Z' ? "Amt" : "Vmt";
      if (body.empty()) return (tagged ? std::string(tag) : std::string()) + (muted ? "1" : "0");
      if (body != "0" && body != "1") return "E13";
      muted = body == "1";
      return tag + std::string(body);
    }
    case 'Q':
      return body.empty() ? options_.firmware : "E10";
    case 'N':
      return body.empty() ? options_.part : "E10";
    default:
      return "E10";
  }
}

struct ExtronSimulator::Core {
  Core(asio::any_io_executor ex, SimulatorOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        device(options),
        rng(std::random_device{}()) {}

  asio::any_io_executor executor;
  SimulatorOptions options;
  SisDevice device;
  Fault fault = Fault::none;
  std::string fault_code = "E10";
  std::vector<std::string> received;
  std::list<Session*> sessions;  // every live line, for front-panel reports
  std::minstd_rand rng;
};

class ExtronSimulator::Session final : public sim::Handler {
 public:
  explicit Session(std::shared_ptr<Core> core)
      : core_(std::move(core)), idle_(core_->executor), alive_(std::make_shared<bool>(true)) {
    core_->sessions.push_back(this);
  }

  ~Session() override {
    *alive_ = false;
    core_->sessions.remove(this);
  }

  void on_open(sim::Connection& line) override {
    line_ = &line;
    if (line.is_pty()) {
      logged_in_ = true;  // the serial port has neither banner nor password
      return;
    }
    const auto& o = core_->options;
    std::string hello = "(c) Copyright 2020, Extron Electronics, " + o.model + ", V" + o.firmware +
                        ", " + o.part + "\r\n" + today() + "\r\n";
    if (o.password.empty()) {
      logged_in_ = true;
    } else {
      hello += "\r\nPassword:";
    }
    line.send(std::move(hello));
    arm_idle_timer();
  }

  void on_bytes(sim::Connection& line, std::string_view bytes) override {
    (void)line;
    arm_idle_timer();
    for (char c : bytes) {
      if (!line_) return;
      if (!logged_in_) {
        password_byte(c);
      } else {
        command_byte(c);
      }
    }
  }

  void on_close() override {
    line_ = nullptr;
    idle_.cancel();
  }

  // A front-panel tie reaches only logged-in lines in verbose mode 1 or 3.
  void report(const std::string& text) {
    if (line_ && logged_in_ && (verbose_ & 1)) line_->send(text + "\r\n");
  }

 private:
  void password_byte(char c) {
    if (c == '\n') return;
    if (c != '\r') {
      if (buffer_.size() < kMaxCommand) buffer_ += c;
      return;
    }
    auto attempt = std::move(buffer_);
    buffer_.clear();
    core_->received.push_back(attempt + "\r");
    const auto& o = core_->options;
    if (attempt == o.password) {
      logged_in_ = true;
      line_->send("\r\nLogin Administrator\r\n");
    } else if (!o.user_password.empty() && attempt == o.user_password) {
      logged_in_ = true;
      line_->send("\r\nLogin User\r\n");
    } else {
      line_->send(o.refuse_with_e10 ? "\r\nE10\r\n" : "\r\nPassword:");
    }
  }

  void command_byte(char c) {
    if (escape_) {
      buffer_ += c;
      if (c == '\r') {
        escape_ = false;
        execute(std::exchange(buffer_, {}));
      } else if (buffer_.size() > kMaxCommand) {
        escape_ = false;
        buffer_.clear();
      }
      return;
    }
    if (c == '\x1b') {
      escape_ = true;
      buffer_ = c;
      return;
    }
    if (c == '\r' || c == '\n') {
      buffer_.clear();  // a line end is no SIS command; digits before it are dropped
      return;
    }
    buffer_ += c;
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '*' || c == '+' || c == '-') {
      if (buffer_.size() > kMaxCommand) buffer_.clear();
      return;
    }
    execute(std::exchange(buffer_, {}));
  }

  void execute(std::string command) {
    core_->received.push_back(command);
    switch (core_->fault) {
      case Fault::no_answer:
        return;
      case Fault::error_reply:
        line_->send(core_->fault_code + "\r\n");
        return;
      case Fault::drop_connection:
        core_->fault = Fault::none;
        line_->close();
        return;
      default:
        break;
    }
    std::string out;
    if (core_->fault == Fault::garbage) out = garbage();
    out += core_->device.handle(command, verbose_);
    out += "\r\n";
    line_->send(std::move(out));
  }

  // Bytes 0x80-0xFF never belong to an SIS answer, so a driver must skip the line and keep
  // waiting for the real answer after it.
  std::string garbage() {
    std::uniform_int_distribution<int> length(1, 16);
    std::uniform_int_distribution<int> byte(0x80, 0xff);
    std::string out(static_cast<std::size_t>(length(core_->rng)), '\0');
    for (auto& c : out) c = static_cast<char>(byte(core_->rng));
    return out + "\r\n";
  }

  void arm_idle_timer() {
    const auto timeout = core_->options.idle_timeout;
    if (timeout.count() <= 0 || !line_ || line_->is_pty()) return;
    idle_.expires_after(timeout);
    idle_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
      // A wait that completed just before a re-arm still reports success; the expiry tells.
      if (ec || !*alive || !line_ || idle_.expiry() > std::chrono::steady_clock::now()) return;
      line_->close();
    });
  }

  std::shared_ptr<Core> core_;
  asio::steady_timer idle_;
  std::shared_ptr<bool> alive_;  // false once destroyed, for a timer completion still queued
  sim::Connection* line_ = nullptr;
  bool logged_in_ = false;
  bool escape_ = false;
  int verbose_ = 0;
  std::string buffer_;
};

ExtronSimulator::ExtronSimulator(asio::any_io_executor ex, SimulatorOptions options)
    : core_(std::make_shared<Core>(ex, std::move(options))),
      server_(ex, [core = core_] { return std::make_unique<Session>(core); }) {}

ExtronSimulator::~ExtronSimulator() {
  server_.stop();
}

std::uint16_t ExtronSimulator::listen_tcp(const std::string& bind, std::uint16_t port) {
  return server_.listen_tcp(bind, port);
}

void ExtronSimulator::stop_tcp() {
  server_.stop_tcp();
}

std::string ExtronSimulator::open_pty(const std::string& link) {
  return server_.open_pty(link);
}

void ExtronSimulator::close_pty() {
  server_.close_pty();
}

std::uint16_t ExtronSimulator::port() const {
  return server_.port();
}

const std::string& ExtronSimulator::pty_path() const {
  return server_.pty_path();
}

std::size_t ExtronSimulator::connections() const {
  return server_.connections();
}

void ExtronSimulator::drop_clients() {
  server_.drop_clients();
}

void ExtronSimulator::set_fault(Fault fault, std::string error_code) {
  core_->fault = fault;
  core_->fault_code = std::move(error_code);
}

void ExtronSimulator::front_panel_tie(int input, int output, char layer) {
  auto text = core_->device.front_panel_tie(input, output, layer);
  auto sessions = core_->sessions;  // a send may close a line
  for (auto* session : sessions) session->report(text);
}

void ExtronSimulator::send_raw(const std::string& bytes) {
  server_.broadcast(bytes);
}

const SisDevice& ExtronSimulator::device() const {
  return core_->device;
}

std::vector<std::string> ExtronSimulator::received() const {
  return core_->received;
}

void ExtronSimulator::clear_received() {
  core_->received.clear();
}

}  // namespace roomd::extron
