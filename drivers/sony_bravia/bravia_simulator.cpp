#include "drivers/sony_bravia/bravia_simulator.hpp"

#include "drivers/sim/stream_server.hpp"
#include "drivers/sony_bravia/sony_bravia.hpp"

#include <boost/asio/steady_timer.hpp>

#include <random>
#include <utility>

namespace roomd::sony_bravia {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A client that never sends LF must not grow the buffer without end.
constexpr std::size_t kMaxBuffered = 4 * kFrameSize;

}  // namespace

struct BraviaSimulator::Core {
  Core(asio::any_io_executor ex, SimulatorOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        state(options),
        rng(std::random_device{}()) {}

  void send(sim::Connection& line, std::string bytes) {
    sent.push_back(bytes);
    line.send(std::move(bytes));
  }
  void broadcast(const std::string& bytes) {
    sent.push_back(bytes);
    server->broadcast(bytes);
  }
  void notify(std::optional<std::string> frame) {
    if (frame) broadcast(*frame);
  }

  // High bytes with no '*' and no LF: nothing a Simple IP parser could take for a frame.
  std::string junk() {
    std::uniform_int_distribution<int> byte(0x80, 0xff);
    std::string out(options.garbage_length, '\0');
    for (auto& c : out) c = static_cast<char>(byte(rng));
    return out;
  }

  void on_frame(sim::Connection& line, std::string frame) {
    received.push_back(frame);
    switch (fault) {
      case Fault::no_answer:
        return;
      case Fault::drop_connection:
        fault = Fault::none;
        line.close();
        return;
      case Fault::error_answers:
        if (is_frame(frame) && (frame[2] == 'C' || frame[2] == 'E'))
          send(line, error_answer(std::string_view(frame).substr(3, 4)));
        return;
      default:
        break;
    }
    auto reply = state.handle(frame);
    if (!reply) return;
    if (fault == Fault::garbage) {
      fault = Fault::none;
      send(line, junk());
    }
    if (options.notify_before_answer)
      for (const auto& n : reply->notifies) broadcast(n);
    if (!reply->answer.empty()) send(line, reply->answer);
    if (!options.notify_before_answer)
      for (const auto& n : reply->notifies) broadcast(n);
  }

  asio::any_io_executor executor;
  SimulatorOptions options;
  SimState state;
  Fault fault = Fault::none;
  std::vector<std::string> received;
  std::vector<std::string> sent;
  std::minstd_rand rng;
  std::unique_ptr<sim::StreamServer> server;
};

// One client line: splits frames on LF and hangs up a TCP client that stays silent.
class BraviaSimulator::Session : public sim::Handler {
 public:
  Session(std::weak_ptr<Core> core, asio::any_io_executor ex)
      : core_(std::move(core)), idle_(std::move(ex)) {}

  void on_open(sim::Connection& line) override {
    line_ = &line;
    arm_idle();
  }

  void on_bytes(sim::Connection& line, std::string_view bytes) override {
    auto core = core_.lock();
    if (!core) return;
    arm_idle();
    for (char c : bytes) {
      buffer_ += c;
      if (c == '\n') {
        auto frame = std::move(buffer_);
        buffer_.clear();
        core->on_frame(line, std::move(frame));
      } else if (buffer_.size() >= kMaxBuffered) {
        buffer_.clear();
      }
    }
  }

  void on_close() override {
    alive_.reset();
    idle_.cancel();
  }

 private:
  void arm_idle() {
    auto core = core_.lock();
    if (!core || !line_ || line_->is_pty() || core->options.idle_timeout.count() <= 0) return;
    idle_.expires_after(core->options.idle_timeout);
    std::weak_ptr<bool> alive = alive_;
    idle_.async_wait([this, alive](error_code ec) {
      // The line owns this handler: while the token lives, so do both.
      if (ec || alive.expired()) return;
      if (idle_.expiry() > std::chrono::steady_clock::now()) return;  // re-armed meanwhile
      line_->close();
    });
  }

  std::weak_ptr<Core> core_;
  asio::steady_timer idle_;
  sim::Connection* line_ = nullptr;
  std::string buffer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

BraviaSimulator::BraviaSimulator(asio::any_io_executor ex, SimulatorOptions options)
    : core_(std::make_shared<Core>(ex, std::move(options))) {
  std::weak_ptr<Core> weak = core_;
  core_->server = std::make_unique<sim::StreamServer>(
      ex, [weak, ex] { return std::make_unique<Session>(weak, ex); });
}

BraviaSimulator::~BraviaSimulator() {
  core_->server->stop();
}

std::uint16_t BraviaSimulator::listen_tcp() {
  return core_->server->listen_tcp(core_->options.bind,
                                   core_->server->port() != 0 ? 0 : core_->options.port);
}
void BraviaSimulator::stop_tcp() {
  core_->server->stop_tcp();
}
std::uint16_t BraviaSimulator::port() const {
  return core_->server->port();
}
std::string BraviaSimulator::open_pty(const std::string& link) {
  return core_->server->open_pty(link);
}
void BraviaSimulator::close_pty() {
  core_->server->close_pty();
}
void BraviaSimulator::drop_clients() {
  core_->server->drop_clients();
}
std::size_t BraviaSimulator::connections() const {
  return core_->server->connections();
}

void BraviaSimulator::set_fault(Fault fault) {
  core_->fault = fault;
}
Fault BraviaSimulator::fault() const {
  return core_->fault;
}
void BraviaSimulator::set_notify_before_answer(bool before) {
  core_->options.notify_before_answer = before;
}
void BraviaSimulator::send_raw(const std::string& bytes) {
  core_->broadcast(bytes);
}

void BraviaSimulator::remote_power(bool on) {
  core_->notify(core_->state.set_power(on));
}
void BraviaSimulator::remote_input(const std::string& name) {
  core_->notify(core_->state.set_input(name));
}
void BraviaSimulator::remote_volume(int level) {
  core_->notify(core_->state.set_volume(level));
}
void BraviaSimulator::remote_mute(bool on) {
  core_->notify(core_->state.set_mute(on));
}

bool BraviaSimulator::power() const {
  return core_->state.power();
}
std::string BraviaSimulator::input() const {
  return core_->state.input();
}
int BraviaSimulator::volume() const {
  return core_->state.volume();
}
bool BraviaSimulator::muted() const {
  return core_->state.muted();
}

std::vector<std::string> BraviaSimulator::received() const {
  return core_->received;
}
std::vector<std::string> BraviaSimulator::sent() const {
  return core_->sent;
}
void BraviaSimulator::clear_transcript() {
  core_->received.clear();
  core_->sent.clear();
}

}  // namespace roomd::sony_bravia
