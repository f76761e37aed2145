// The box's HTTP/WebSocket server: listens where `api.listen` says, on the runtime's
// io_context, bounds and admits connections, answers /healthz and /metrics, and carries the
// dialects mounted on it (PlaceOS, …). Start it after the runtime; stop it before.
#pragma once

#include "base/asio.hpp"
#include "config/config.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace roomd {

class Runtime;
class FrontEnd;
struct ApiContext;

class ApiServer {
 public:
  // `io_threads` is how many threads run `io`: with one, the io_context itself is the API's
  // strand (nothing else can run concurrently); with more, the API gets a strand of its own.
  // Call the methods below on that strand (ApiContext::strand) or while no thread runs `io`.
  ApiServer(asio::io_context& io, Runtime& runtime, int io_threads = 1);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Adds a dialect: its REST routes and WebSocket endpoints. Mount before start().
  void mount(std::shared_ptr<FrontEnd> front_end);

  // Binds and listens; returns the port (useful with port 0). Throws std::runtime_error with
  // the address and the reason when it cannot bind, or naming api.tls and the file when the
  // certificate or key cannot be used. With api.tls it speaks HTTPS and WSS only.
  std::uint16_t start();
  // Closes the listener and every connection: live sessions close as going away and are gone
  // from open_sessions() once their close completed (within about a second of running the
  // loop). Called again, or by the destructor, it ends those still open at once.
  void stop();
  std::uint16_t port() const;

  // A config reload's keys (ApiContext::replace_keys); the open sessions of keys removed or
  // changed are closed (1008) to present their key again. Answers how many were.
  std::size_t replace_keys(const std::vector<ApiKeyConfig>& keys);
  std::size_t open_sessions() const;
  std::size_t queued_bytes() const;  // outbound bytes waiting, over every connection
  ApiContext& context();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with its pending handlers
};

}  // namespace roomd
