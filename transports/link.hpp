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
  // What a LinkCore offers; Link forwards to it.
  class Engine {
   public:
    virtual ~Engine() = default;
    virtual void start(Handlers handlers) = 0;
    virtual void stop() = 0;
    virtual bool write(std::string bytes) = 0;
    virtual void reconnect() = 0;
    virtual bool is_connected() const = 0;
    virtual std::string describe() const = 0;
    virtual std::string last_error() const = 0;
  };

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
  explicit Link(std::shared_ptr<Engine> engine);

 private:
  std::shared_ptr<Engine> engine_;
};

}  // namespace roomd
