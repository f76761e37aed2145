#include "tests/support/fake_transport.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <utility>

namespace roomd::test {

namespace detail {

struct FakeLineState {
  std::string description;
  FakeTransport* current = nullptr;  // the started transport, if any
  Executor executor;                 // the last started transport's
  std::shared_ptr<const Transport::Handlers> handlers;
  // Bumped by every start() and stop(): an event posted for an earlier transport does nothing.
  std::uint64_t generation = 0;
  bool accepting = false;  // the device takes connections
  bool connected = false;
  bool link_up_posted = false;
  std::vector<std::string> writes;
  int reconnects = 0;
  std::function<void(std::string_view)> on_write;
};

}  // namespace detail

namespace {

using State = detail::FakeLineState;

// Runs `event` on the started transport's executor, unless that transport stops (or another
// starts) first. Handlers are held by their own reference while one runs: it may stop the
// transport, which drops the line's.
template <class Event>
void post_event(const std::shared_ptr<State>& state, Event event) {
  if (!state->current) return;
  asio::post(state->executor, [state, generation = state->generation, event = std::move(event)] {
    if (generation != state->generation || !state->current) return;
    auto handlers = state->handlers;
    event(*handlers);
  });
}

void post_link_up(const std::shared_ptr<State>& state) {
  if (state->link_up_posted || state->connected) return;
  state->link_up_posted = true;
  post_event(state, [state](const Transport::Handlers& handlers) {
    state->link_up_posted = false;
    if (!state->accepting || state->connected) return;
    state->connected = true;
    if (handlers.on_connect) handlers.on_connect();
  });
}

}  // namespace

FakeTransport::FakeTransport(Executor executor, std::shared_ptr<detail::FakeLineState> line)
    : executor_(std::move(executor)), line_(std::move(line)) {}

FakeTransport::~FakeTransport() {
  stop();
}

void FakeTransport::start(Handlers handlers) {
  if (line_->current == this) return;
  line_->current = this;
  line_->executor = executor_;
  line_->handlers = std::make_shared<const Handlers>(std::move(handlers));
  ++line_->generation;
  line_->connected = false;
  line_->link_up_posted = false;
  if (line_->accepting) post_link_up(line_);
}

void FakeTransport::stop() {
  if (line_->current != this) return;
  line_->current = nullptr;
  line_->handlers.reset();
  ++line_->generation;
  line_->connected = false;
  line_->link_up_posted = false;
}

bool FakeTransport::write(std::string bytes) {
  if (!is_connected()) return false;
  if (bytes.empty()) return true;
  line_->writes.push_back(std::move(bytes));
  // A copy: the hook may replace itself.
  if (auto hook = line_->on_write) hook(line_->writes.back());
  return true;
}

void FakeTransport::reconnect() {
  ++line_->reconnects;
  if (!is_connected()) return;  // already waiting for the device
  line_->connected = false;
  auto state = line_;
  post_event(state, [](const Handlers& handlers) {
    if (handlers.on_disconnect) handlers.on_disconnect(asio::error::operation_aborted);
  });
  post_link_up(state);
}

bool FakeTransport::is_connected() const {
  return line_->current == this && line_->connected;
}

std::string FakeTransport::describe() const {
  return line_->description;
}

FakeLine::FakeLine(std::string description) : state_(std::make_shared<detail::FakeLineState>()) {
  state_->description = std::move(description);
}

std::function<std::unique_ptr<Transport>(Executor)> FakeLine::factory() {
  return [state = state_](Executor executor) -> std::unique_ptr<Transport> {
    return std::make_unique<FakeTransport>(std::move(executor), state);
  };
}

void FakeLine::connect() {
  state_->accepting = true;
  post_link_up(state_);
}

void FakeLine::disconnect(boost::system::error_code why) {
  state_->accepting = false;
  post_event(state_, [state = state_, why](const Transport::Handlers& handlers) {
    const bool was_up = std::exchange(state->connected, false);
    auto ec = why;
    if (!ec) ec = was_up ? asio::error::connection_reset : asio::error::connection_refused;
    if (handlers.on_disconnect) handlers.on_disconnect(ec);
  });
}

void FakeLine::send(std::string bytes) {
  post_event(state_, [state = state_, bytes = std::move(bytes)](const Transport::Handlers& h) {
    if (state->connected && h.on_bytes) h.on_bytes(bytes);
  });
}

bool FakeLine::started() const {
  return state_->current != nullptr;
}

bool FakeLine::connected() const {
  return state_->connected;
}

const std::vector<std::string>& FakeLine::writes() const {
  return state_->writes;
}

std::string FakeLine::written() const {
  std::string all;
  for (const auto& write : state_->writes) all += write;
  return all;
}

void FakeLine::clear_writes() {
  state_->writes.clear();
}

int FakeLine::reconnects() const {
  return state_->reconnects;
}

void FakeLine::on_write(std::function<void(std::string_view)> hook) {
  state_->on_write = std::move(hook);
}

}  // namespace roomd::test
