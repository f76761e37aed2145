#include "drivers/pjlink/pjlink_simulator.hpp"

#include "drivers/pjlink/pjlink_auth.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <deque>
#include <list>
#include <random>
#include <utility>

namespace roomd::pjlink {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kAwaitTuple = asio::as_tuple(asio::use_awaitable);
// Longest PJLink line is a 32-char digest plus a 135-byte command; anything far longer is not
// PJLink, and a bound keeps a misbehaving client from growing the buffer without end.
constexpr std::size_t kMaxLine = 256;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

bool looks_like_digest(std::string_view line) {
  return line.size() > kDigestLength && line[kDigestLength] == '%' &&
         std::all_of(line.begin(), line.begin() + kDigestLength,
                     [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool same_digest(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

}  // namespace

struct PjlinkSimulator::Core {
  Core(asio::any_io_executor ex, SimulatorOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        state(options),
        acceptor(executor),
        rng(std::random_device{}()) {}

  asio::any_io_executor executor;
  SimulatorOptions options;
  SimState state;
  Fault fault = Fault::none;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  // Bumped by start() and stop() so an accept loop left over from an earlier start() knows
  // it is stale even if the acceptor has been reopened since.
  std::uint64_t generation = 0;
  bool running = false;
  std::list<std::shared_ptr<Session>> sessions;
  std::vector<std::string> received;
  std::minstd_rand rng;

  static asio::awaitable<void> accept_loop(std::shared_ptr<Core> core, std::uint64_t generation);
};

class PjlinkSimulator::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Core> core, tcp::socket socket)
      : core_(std::move(core)), socket_(std::move(socket)), idle_(socket_.get_executor()) {
    if (!core_->options.password.empty()) {
      challenge_ = random_challenge();
      expected_digest_ = pjlink_digest(challenge_, core_->options.password);
    }
  }

  // Static with the owner passed by value, so the coroutine frame keeps the session alive
  // from before its first resumption.
  static asio::awaitable<void> run(std::shared_ptr<Session> self) {
    self->send(self->challenge_.empty() ? "PJLINK 0\r" : "PJLINK 1 " + self->challenge_ + "\r");
    self->arm_idle_timer();
    std::array<char, 512> buffer{};
    while (!self->closed_) {
      auto [ec, n] = co_await self->socket_.async_read_some(asio::buffer(buffer), kAwaitTuple);
      if (ec) break;
      self->feed(std::string_view(buffer.data(), n));
    }
    self->close();
  }

  void send(std::string bytes) {
    if (closed_ || closing_) return;
    out_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
    idle_.cancel();
    // May drop the list's reference; every caller holds its own, so *this survives the call.
    core_->sessions.remove(shared_from_this());
  }

 private:
  void feed(std::string_view bytes) {
    for (char c : bytes) {
      if (closed_ || closing_) return;
      if (c == '\r') {
        std::string line = std::move(line_);
        line_.clear();
        if (discarding_) {
          discarding_ = false;
          continue;
        }
        on_line(std::move(line));
      } else if (discarding_) {
        continue;
      } else if (line_.size() >= kMaxLine) {
        // Real projectors drop an overlong frame whole rather than act on a fragment of it.
        discarding_ = true;
        line_.clear();
      } else {
        line_ += c;
      }
    }
  }

  void on_line(std::string line) {
    // Tolerate CR LF from clients that send it: the LF starts the next line.
    if (!line.empty() && line.front() == '\n') line.erase(0, 1);
    if (line.empty()) return;
    arm_idle_timer();

    const bool auth = !expected_digest_.empty();
    std::string_view command = line;
    std::string_view digest;
    if (auth && looks_like_digest(line)) {
      digest = command.substr(0, kDigestLength);
      command.remove_prefix(kDigestLength);
    }
    core_->received.emplace_back(command);

    switch (core_->fault) {
      case Fault::no_answer:
        return;
      case Fault::drop_connection:
        core_->fault = Fault::none;
        close();
        return;
      default:
        break;
    }

    if (auth) {
      // The first command must carry the digest; later ones may repeat it, but a wrong one
      // is refused the same way.
      const bool ok = digest.empty() ? authenticated_ : same_digest(digest, expected_digest_);
      if (!ok) {
        send("PJLINK ERRA\r");
        close_after_flush();
        return;
      }
      authenticated_ = true;
    }

    auto answer = core_->state.handle(command, Clock::now());
    if (!answer) return;
    std::string out;
    if (core_->fault == Fault::garbage) out = garbage();
    out += *answer;
    out += '\r';
    send(std::move(out));
  }

  // Bytes 0x80-0xFF can never start or belong to a PJLink answer, so a driver that
  // resynchronises on the next CR must recover.
  std::string garbage() {
    std::uniform_int_distribution<int> length(1, 16);
    std::uniform_int_distribution<int> byte(0x80, 0xff);
    std::string out(static_cast<std::size_t>(length(core_->rng)), '\0');
    for (auto& c : out) c = static_cast<char>(byte(core_->rng));
    out += '\r';
    return out;
  }

  void close_after_flush() {
    closing_ = true;
    if (!writing_) close();
  }

  void write_next() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_.front()),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (self->closed_) return;
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->out_.pop_front();
                        if (!self->out_.empty()) {
                          self->write_next();
                        } else if (self->closing_) {
                          self->close();
                        }
                      });
  }

  void arm_idle_timer() {
    const auto timeout = core_->options.idle_timeout;
    if (timeout.count() <= 0 || closed_) return;
    idle_.expires_after(timeout);
    idle_.async_wait([self = shared_from_this()](error_code ec) {
      // A wait that completed just before a re-arm still reports success; the expiry tells.
      if (ec || self->idle_.expiry() > Clock::now()) return;
      self->close();
    });
  }

  std::shared_ptr<Core> core_;
  tcp::socket socket_;
  asio::steady_timer idle_;
  std::string challenge_;
  std::string expected_digest_;  // empty: no password
  bool authenticated_ = false;
  std::string line_;
  bool discarding_ = false;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool closing_ = false;  // answer queued, close once it is written
  bool closed_ = false;
};

PjlinkSimulator::PjlinkSimulator(asio::any_io_executor ex, SimulatorOptions opts)
    : core_(std::make_shared<Core>(std::move(ex), std::move(opts))) {}

PjlinkSimulator::~PjlinkSimulator() {
  stop();
}

std::uint16_t PjlinkSimulator::start() {
  auto& core = *core_;
  if (core.running) return core.port;
  const std::uint16_t port = core.options.port != 0 ? core.options.port : core.port;
  const tcp::endpoint endpoint(asio::ip::make_address(core.options.bind), port);
  try {
    core.acceptor.open(endpoint.protocol());
    core.acceptor.set_option(tcp::acceptor::reuse_address(true));
    core.acceptor.bind(endpoint);
    core.acceptor.listen();
  } catch (...) {
    error_code ignored;
    core.acceptor.close(ignored);
    throw;
  }
  core.port = core.acceptor.local_endpoint().port();
  core.running = true;
  ++core.generation;
  asio::co_spawn(core.executor, Core::accept_loop(core_, core.generation), asio::detached);
  return core.port;
}

asio::awaitable<void> PjlinkSimulator::Core::accept_loop(std::shared_ptr<Core> core,
                                                         std::uint64_t generation) {
  auto current = [&] { return core->running && core->generation == generation; };
  while (current()) {
    auto [ec, socket] = co_await core->acceptor.async_accept(kAwaitTuple);
    if (!current()) co_return;
    if (ec) {
      // Transient (a client gone before accept, out of descriptors): pause instead of spinning.
      asio::steady_timer pause(core->executor, kAcceptRetryDelay);
      co_await pause.async_wait(kAwaitTuple);
      continue;
    }
    auto session = std::make_shared<Session>(core, std::move(socket));
    core->sessions.push_back(session);
    asio::co_spawn(core->executor, Session::run(std::move(session)), asio::detached);
  }
}

void PjlinkSimulator::stop() {
  auto& core = *core_;
  core.running = false;
  ++core.generation;
  error_code ignored;
  core.acceptor.close(ignored);
  // Moved out first because each close() removes its session from the list.
  auto sessions = std::move(core.sessions);
  core.sessions.clear();
  for (auto& session : sessions) session->close();
}

std::uint16_t PjlinkSimulator::port() const {
  return core_->port;
}
std::size_t PjlinkSimulator::connections() const {
  return core_->sessions.size();
}

void PjlinkSimulator::set_fault(Fault f) {
  core_->fault = f;
  core_->state.set_busy_while_warming(f == Fault::err3_during_warmup);
}
Fault PjlinkSimulator::fault() const {
  return core_->fault;
}

void PjlinkSimulator::send_raw(std::string bytes) {
  for (auto& session : core_->sessions) session->send(bytes);
}

PowerState PjlinkSimulator::power_state() const {
  return core_->state.power(Clock::now());
}
std::string PjlinkSimulator::input() const {
  return core_->state.input();
}
bool PjlinkSimulator::video_muted() const {
  return core_->state.video_muted();
}
bool PjlinkSimulator::audio_muted() const {
  return core_->state.audio_muted();
}
int PjlinkSimulator::lamp_hours() const {
  return core_->state.lamp_hours(Clock::now());
}
void PjlinkSimulator::set_lamp_hours(int hours) {
  core_->state.set_lamp_hours(hours, Clock::now());
}
std::string PjlinkSimulator::errors() const {
  return core_->state.errors();
}
void PjlinkSimulator::set_errors(std::string errors) {
  core_->state.set_errors(std::move(errors));
}

std::vector<std::string> PjlinkSimulator::received() const {
  return core_->received;
}
void PjlinkSimulator::clear_received() {
  core_->received.clear();
}

}  // namespace roomd::pjlink
