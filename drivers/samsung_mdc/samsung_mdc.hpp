// Samsung professional displays over MDC (TCP 1515 or RS-232 9600 8N1): power, input,
// volume and mute with the common display contract, and a status poll (command 0x00) that
// keeps all four current. Binary frames with a checksum, addressed by display id.
#pragma once

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <cstdint>
#include <string>

namespace roomd::samsung_mdc {

class SamsungMdc final : public Driver {
 public:
  static DriverInfo info();
  static void expose(Methods<SamsungMdc>& m);

  Task<bool> power(bool on);
  Task<std::string> switch_to(std::string input);
  Task<int> volume(int level);
  Task<bool> mute(bool on);
  Task<Json> query_status();
  Task<bool> query_power();
  Task<std::string> query_input();
  Task<int> query_volume();
  Task<bool> query_mute();

  Task<void> on_load() override;
  Task<void> connected() override;
  Received received(std::string_view frame, Command* pending) override;

 private:
  Task<Json> command(std::uint8_t cmd, std::string data, SendOptions options);
  Task<void> poll();
  // Publishes what a reply reports and returns it as the method's result.
  Json apply(std::uint8_t rcmd, std::string_view data);

  std::uint8_t display_id_ = 1;
};

}  // namespace roomd::samsung_mdc
