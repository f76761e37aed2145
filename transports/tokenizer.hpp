// Splits the byte stream of a transport into the frames a driver understands: by delimiter,
// by fixed length, or by a length field in a header. A frame that grows past the maximum
// size is dropped with the buffer, so a chatty or broken device cannot exhaust memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace roomd {

struct DelimiterSpec {
  std::vector<std::string> delimiters;  // any of them ends a frame; not part of the frame
  bool skip_empty = true;               // "\r\n" split on "\r" or "\n" yields no empty frames
};

struct FixedLengthSpec {
  std::size_t length = 0;
};

// Frame length read from a header: total = header_offset-relative field value + adjust.
// Example Samsung MDC reply `AA FF id len ...data cs`: start 0xAA, length_offset 3,
// length_size 1, adjust 5 (4 header bytes + checksum).
struct LengthHeaderSpec {
  int start_byte = -1;  // when >= 0, bytes before it are discarded as noise
  std::size_t length_offset = 0;
  std::size_t length_size = 1;  // 1, 2 or 4 bytes
  bool big_endian = true;
  std::ptrdiff_t adjust = 0;  // added to the field value to get the whole frame's size
};

using TokenizerSpec =
    std::variant<std::monostate, DelimiterSpec, FixedLengthSpec, LengthHeaderSpec>;

class Tokenizer {
 public:
  using FrameHandler = std::function<void(std::string_view frame)>;
  // Called with the number of bytes dropped when the buffer overflows max_frame.
  using OverflowHandler = std::function<void(std::size_t dropped)>;

  virtual ~Tokenizer() = default;
  // Appends bytes and calls on_frame for every complete frame, in order. A frame is valid only
  // during its call. on_frame may call clear() (the rest of the buffer is then dropped) but
  // must not call feed().
  virtual void feed(std::string_view bytes, const FrameHandler& on_frame) = 0;
  virtual void clear() = 0;
  virtual std::size_t buffered() const = 0;
};

// std::monostate gives a pass-through tokenizer: every read is one frame.
// max_frame 0 means no limit. Throws std::invalid_argument for a spec that cannot frame
// anything (no or empty delimiter, fixed length 0 or above max_frame, length_size not 1/2/4,
// start_byte above 255).
std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerSpec& spec, std::size_t max_frame,
                                          Tokenizer::OverflowHandler on_overflow);

}  // namespace roomd
