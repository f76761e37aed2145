// An example driver built as a plugin (.so): an echo device. It shows everything a plugin
// needs: a Driver subclass, info() and expose(), and ROOMD_DRIVER_PLUGIN. The tests load it
// with dlopen and run it against a loopback echo server.
#ifdef ROOMD_EXAMPLE_CLAIM_ABI
#define ROOMD_PLUGIN_ABI ROOMD_EXAMPLE_CLAIM_ABI
#endif

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/plugin_abi.hpp"

namespace {

class EchoDevice final : public roomd::Driver {
 public:
  static roomd::DriverInfo info() {
    roomd::DriverInfo info;
    info.name = "example_echo";
    info.description = "example plugin: a line-based echo device";
    info.generic_name = "Echo";
    info.transport = roomd::TransportKind::tcp;
    info.default_port = 7;
    info.tokenizer = roomd::DelimiterSpec{{"\n"}};
    info.settings = {{"prefix", "string", "", "added before every line sent", false}};
    info.status = {{"last", "string", "the last line the device sent back"}};
    return info;
  }
  static void expose(roomd::Methods<EchoDevice>& m) {
    m.method("echo", &EchoDevice::echo, {"text"});
  }

  roomd::Task<std::string> echo(std::string text) {
    auto reply = co_await send(setting<std::string>("prefix") + text + "\n");
    co_return reply.get<std::string>();
  }

  roomd::Received received(std::string_view frame, roomd::Command* pending) override {
    set_status("last", std::string(frame));
    return pending ? roomd::Received::success : roomd::Received::ignore;
  }
};

}  // namespace

ROOMD_DRIVER_PLUGIN(EchoDevice)
