#include "transports/link.hpp"

#include <utility>

namespace roomd {

Link::Link(std::shared_ptr<Transport> engine) : engine_(std::move(engine)) {}

Link::~Link() {
  engine_->stop();
}

void Link::start(Handlers handlers) {
  engine_->start(std::move(handlers));
}
void Link::stop() {
  engine_->stop();
}
bool Link::write(std::string bytes) {
  return engine_->write(std::move(bytes));
}
void Link::reconnect() {
  engine_->reconnect();
}
bool Link::is_connected() const {
  return engine_->is_connected();
}
std::string Link::describe() const {
  return engine_->describe();
}
std::string Link::last_error() const {
  return engine_->last_error();
}

}  // namespace roomd
