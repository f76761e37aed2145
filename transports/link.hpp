// The reconnecting link that TCP, UDP and serial transports are: the public face of a
// LinkCore (link_core.hpp) built around one kind's open/read/write policy. Each concrete
// transport only names its policy; state, retries and callbacks live in the core, once.
#pragma once

#include "transports/transport.hpp"

#include <memory>
#include <string>

namespace roomd {

// Every public call must be made on the executor the link was built with (a strand or a
// single-threaded io_context), and every handler runs there. The state lives in an engine
// shared with pending operations, so a link can be held by unique_ptr<Transport> and destroyed
// at any time, even from inside one of its handlers: nothing calls back after stop() or
// destruction. start() on a started link is ignored; start() after stop() starts over.
class Link : public Transport {
 public:
  ~Link() override;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  void start(Handlers handlers) override;
  void stop() override;
  bool write(std::string bytes) override;
  void reconnect() override;
  bool is_connected() const override;
  std::string describe() const override;
  std::string last_error() const override;

 protected:
  // `engine` is a LinkCore, shared with its pending operations; Link stops it when destroyed.
  explicit Link(std::shared_ptr<Transport> engine);

 private:
  std::shared_ptr<Transport> engine_;
};

}  // namespace roomd
