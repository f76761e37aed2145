// Fuzz target: every tokenizer of transports/tokenizer.hpp, with parameters and chunk sizes
// taken from the input. Where framing cannot depend on how the bytes were cut (everything but a
// length header without a start byte), the frames of the chunked feed must equal those of one
// feed with all the bytes.
#include "transports/tokenizer.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using roomd::DelimiterSpec;
using roomd::FixedLengthSpec;
using roomd::LengthHeaderSpec;
using roomd::TokenizerSpec;

// ROOMD_FUZZ_TRACE=1 prints the spec, the chunks and the frames: to read a crash input.
const bool kTrace = std::getenv("ROOMD_FUZZ_TRACE") != nullptr;

std::string quoted(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    char hex[8];
    std::snprintf(hex, sizeof hex, c >= 0x20 && c < 0x7F && c != '"' ? "%c" : "\\x%02X", c);
    out += hex;
  }
  return out + "\"";
}

void trace(const TokenizerSpec& spec, std::size_t max_frame, const char* what,
           const std::vector<std::string>& items) {
  if (!kTrace) return;
  std::string line = "max_frame " + std::to_string(max_frame) + " ";
  if (const auto* d = std::get_if<DelimiterSpec>(&spec)) {
    line += "delimiters";
    for (const auto& delimiter : d->delimiters) line += " " + quoted(delimiter);
    line += d->skip_empty ? " skip_empty" : "";
  } else if (const auto* f = std::get_if<FixedLengthSpec>(&spec)) {
    line += "fixed " + std::to_string(f->length);
  } else if (const auto* h = std::get_if<LengthHeaderSpec>(&spec)) {
    line += "header start " + std::to_string(h->start_byte) + " offset " +
            std::to_string(h->length_offset) + " size " + std::to_string(h->length_size) +
            (h->big_endian ? " big" : " little") + " adjust " + std::to_string(h->adjust);
  } else {
    line += "passthrough";
  }
  line += std::string("; ") + what + ":";
  for (const auto& item : items) line += " " + quoted(item);
  std::fprintf(stderr, "%s\n", line.c_str());
}

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "tokenizer fuzz: %s\n", what);
  std::abort();
}

// Delimiters from a small alphabet, so that they overlap and prefix each other often.
std::string delimiter(FuzzedDataProvider& input) {
  static constexpr char kAlphabet[] = {'\r', '\n', 'a', 'b', ':', '\0'};
  std::string d(input.ConsumeIntegralInRange<std::size_t>(1, 4), '\0');
  for (auto& c : d) c = kAlphabet[input.ConsumeIntegralInRange<std::size_t>(0, 5)];
  return d;
}

TokenizerSpec spec_from(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 3)) {
    case 0:
      return std::monostate{};
    case 1: {
      DelimiterSpec spec;
      const auto count = input.ConsumeIntegralInRange(1, 3);
      for (int i = 0; i < count; ++i) spec.delimiters.push_back(delimiter(input));
      spec.skip_empty = input.ConsumeBool();
      return spec;
    }
    case 2:
      return FixedLengthSpec{input.ConsumeIntegralInRange<std::size_t>(1, 32)};
    default: {
      LengthHeaderSpec spec;
      spec.start_byte = input.ConsumeBool() ? input.ConsumeIntegral<std::uint8_t>() : -1;
      spec.length_offset = input.ConsumeIntegralInRange<std::size_t>(0, 4);
      spec.length_size = std::size_t{1} << input.ConsumeIntegralInRange(0, 2);
      spec.big_endian = input.ConsumeBool();
      // What drivers declare: a few header and checksum bytes either way.
      spec.adjust = input.ConsumeIntegralInRange<std::ptrdiff_t>(-8, 8);
      return spec;
    }
  }
}

bool cut_matters(const TokenizerSpec& spec) {
  if (std::holds_alternative<std::monostate>(spec)) return true;  // a frame per read
  // Without a start byte a corrupt header loses everything buffered with it.
  if (const auto* header = std::get_if<LengthHeaderSpec>(&spec)) return header->start_byte < 0;
  // Frames are handed out as soon as a delimiter completes. Where a delimiter holds another
  // that ends before it does ("\r" in "\n\r\n"), a read that stops in between has framed by
  // the short one where one read holding all the bytes frames by the long one. The same goes
  // for a delimiter whose longer sibling continues it by more than one byte ("ab", "abcd"): the
  // bytes that may still complete it wait, where one read would already have decided.
  if (const auto* delimiter = std::get_if<DelimiterSpec>(&spec)) {
    for (const auto& shorter : delimiter->delimiters) {
      for (const auto& longer : delimiter->delimiters) {
        for (auto at = longer.find(shorter); at != std::string::npos;
             at = longer.find(shorter, at + 1)) {
          const std::size_t after = longer.size() - at - shorter.size();
          if (after > (at == 0 ? 1 : 0)) return true;
        }
      }
    }
  }
  return false;
}

struct Run {
  std::vector<std::string> frames;
  std::size_t dropped = 0;
};

// Checks what must hold for every frame and after every feed, whatever the cut.
void check_frame(const TokenizerSpec& spec, std::size_t max_frame, std::string_view frame) {
  // A pass-through hands on each read whole, whatever its size: it holds nothing back.
  const bool passthrough = std::holds_alternative<std::monostate>(spec);
  if (!passthrough && max_frame != 0 && frame.size() > max_frame)
    finding("a frame above max_frame");
  if (const auto* fixed = std::get_if<FixedLengthSpec>(&spec)) {
    if (frame.size() != fixed->length) finding("a fixed-length frame of another length");
  }
  if (const auto* header = std::get_if<LengthHeaderSpec>(&spec)) {
    if (header->start_byte >= 0 && static_cast<unsigned char>(frame.front()) != header->start_byte)
      finding("a length-header frame that does not begin with the start byte");
  }
}

Run feed(const TokenizerSpec& spec, std::size_t max_frame, const std::vector<std::string>& chunks,
         bool clear_inside) {
  Run run;
  auto tokenizer = roomd::make_tokenizer(spec, max_frame, [&](std::size_t n) {
    if (n == 0) finding("an overflow of 0 bytes reported");
    run.dropped += n;
  });
  for (const auto& chunk : chunks) {
    tokenizer->feed(chunk, [&](std::string_view frame) {
      check_frame(spec, max_frame, frame);
      run.frames.emplace_back(frame);
      // A handler that resets the device's state mid-read: the rest of the buffer goes.
      if (clear_inside && frame.size() % 5 == 1) tokenizer->clear();
    });
    if (max_frame != 0 && tokenizer->buffered() > max_frame + 4)
      finding("more than max_frame (and a partial delimiter) left buffered");
  }
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  TokenizerSpec spec;
  std::size_t max_frame = 0;
  try {
    spec = spec_from(input);
    max_frame = input.ConsumeBool() ? 0 : input.ConsumeIntegralInRange<std::size_t>(1, 64);
    roomd::make_tokenizer(spec, max_frame, nullptr);
  } catch (const std::invalid_argument&) {
    return -1;  // a spec the module refuses to load with; not worth keeping in the corpus
  }
  const bool clear_inside = input.ConsumeBool();

  std::vector<std::string> chunks;
  std::string all;
  while (input.remaining_bytes() > 0) {
    chunks.push_back(input.ConsumeBytesAsString(input.ConsumeIntegralInRange<std::size_t>(1, 24)));
    all += chunks.back();
  }
  trace(spec, max_frame, "chunks", chunks);
  const auto chunked = feed(spec, max_frame, chunks, clear_inside);
  trace(spec, max_frame, "frames", chunked.frames);
  if (clear_inside || cut_matters(spec)) return 0;
  const auto whole = feed(spec, max_frame, {all}, false);
  trace(spec, max_frame, "frames from one feed", whole.frames);
  if (chunked.frames != whole.frames) finding("frames depend on how the bytes were cut");
  return 0;
}
