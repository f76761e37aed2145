// Socket.IO v5 on one Engine.IO session: the main namespace's connect (an auth payload
// accepted), its events, its disconnect. What runs over it (DAS) sees the argument of each
// "message" event and answers with message events of its own.
#pragma once

#include "base/json.hpp"
#include "uplink/socketio/engineio_session.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace roomd {

class SocketIoOutput {
 public:
  virtual ~SocketIoOutput() = default;
  // A "message" event whose argument is the JSON text `json`.
  virtual void emit_message(std::string_view json) = 0;
  // Leaves the namespace (the client hears "io server disconnect") and ends the session.
  virtual void disconnect(const std::string& why) = 0;
  virtual void set_key_id(std::string key_id) = 0;
  virtual const std::string& peer() const = 0;
};

class SocketIoApp {
 public:
  virtual ~SocketIoApp() = default;
  // The argument of a "message" event on the main namespace.
  virtual void on_message(const Json& message) = 0;
  // Something the app cannot take (a binary event, JSON that does not parse): it answers
  // with its protocol's error.
  virtual void on_refused(const std::string& why) = 0;
  // The session ended: let go of everything; nothing sent afterwards goes anywhere.
  virtual void close() = 0;
};

class SocketIoSession final : public EngineIoHandler, public SocketIoOutput {
 public:
  using AppFactory = std::function<std::unique_ptr<SocketIoApp>(SocketIoOutput& out)>;
  // The app is made at once: its clock (DAS's authorization window) starts with the session.
  SocketIoSession(EngineIoOutput& out, const AppFactory& make_app);
  ~SocketIoSession() override;

  // EngineIoHandler
  void on_message(std::string_view text) override;
  void on_binary() override;
  void on_close(const std::string& why) override;

  // SocketIoOutput
  void emit_message(std::string_view json) override;
  void disconnect(const std::string& why) override;
  void set_key_id(std::string key_id) override { out_.set_key_id(std::move(key_id)); }
  const std::string& peer() const override { return out_.peer(); }

 private:
  void on_event(const std::string& data);

  EngineIoOutput& out_;
  std::unique_ptr<SocketIoApp> app_;
  bool connected_ = false;  // to the main namespace
};

}  // namespace roomd
