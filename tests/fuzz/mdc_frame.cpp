// Fuzz target: the Samsung MDC frame decoders. Whatever they accept must encode back to the
// same bytes, so decoder and encoder cannot drift apart.
#include "drivers/samsung_mdc/mdc_frame.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace mdc = roomd::samsung_mdc;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "mdc frame fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto hex = mdc::to_hex(bytes);
  if (hex.size() != (size == 0 ? 0 : 3 * size - 1)) finding("to_hex: not two digits a byte");
  const auto whole = mdc::frame_size(bytes);
  std::string why;
  const auto frame = mdc::parse_frame(bytes, &why);
  if (!frame) {
    if (why.empty()) finding("parse_frame refused without a reason");
    return 0;
  }
  if (whole != size) finding("frame_size disagrees with parse_frame");
  if (mdc::make_frame(frame->command, frame->id, frame->data) != bytes)
    finding("parse_frame accepted what make_frame would not produce");
  (void)mdc::command_name(frame->command);
  const auto reply = mdc::parse_reply(*frame, &why);
  if (!reply) return 0;
  if (mdc::make_reply(reply->id, reply->ack, reply->rcmd, reply->data) != bytes)
    finding("parse_reply accepted what make_reply would not produce");
  for (char c : reply->data) {
    const auto code = static_cast<std::uint8_t>(c);
    const auto name = mdc::input_name(code);
    const auto back = mdc::input_code(name);
    if (back && *back != code) finding("input_name and input_code disagree");
  }
  return 0;
}
