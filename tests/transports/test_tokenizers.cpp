#include "transports/tokenizer.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using roomd::DelimiterSpec;
using roomd::FixedLengthSpec;
using roomd::LengthHeaderSpec;
using roomd::TokenizerSpec;
using Frames = std::vector<std::string>;

namespace {

// Feeds a tokenizer and records what comes out.
struct Harness {
  explicit Harness(const TokenizerSpec& spec, std::size_t max_frame = 1024)
      : tokenizer(roomd::make_tokenizer(spec, max_frame,
                                        [this](std::size_t n) { overflows.push_back(n); })) {}

  Harness& feed(std::string_view bytes) {
    tokenizer->feed(bytes, [this](std::string_view frame) { frames.emplace_back(frame); });
    return *this;
  }

  std::unique_ptr<roomd::Tokenizer> tokenizer;
  Frames frames;
  std::vector<std::size_t> overflows;
};

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += static_cast<char>(v);
  return s;
}

}  // namespace

TEST_CASE("passthrough: every feed is one frame", "[tokenizer]") {
  Harness h(std::monostate{});
  h.feed("abc").feed("").feed("d\re");
  CHECK(h.frames == Frames{"abc", "d\re"});
  CHECK(h.tokenizer->buffered() == 0);
}

TEST_CASE("delimiter: frames split across feeds and several in one feed", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r"}});
  h.feed("%1POWR=");
  CHECK(h.frames.empty());
  CHECK(h.tokenizer->buffered() == 7);
  h.feed("1\r%1INPT=31\r%1AV");
  CHECK(h.frames == Frames{"%1POWR=1", "%1INPT=31"});
  h.feed("MT=30\r");
  CHECK(h.frames == Frames{"%1POWR=1", "%1INPT=31", "%1AVMT=30"});
  CHECK(h.tokenizer->buffered() == 0);
  CHECK(h.overflows.empty());
}

TEST_CASE("delimiter: multi-byte delimiter split across feeds", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r\n"}});
  h.feed("one\r").feed("\ntwo\r").feed("x\r\n");
  CHECK(h.frames == Frames{"one", "two\rx"});
}

TEST_CASE("delimiter: several delimiters, earliest wins", "[tokenizer]") {
  Harness h(DelimiterSpec{{"END", "\n", ";"}});
  h.feed("a;bEND").feed("c\nd;");
  CHECK(h.frames == Frames{"a", "b", "c", "d"});
}

TEST_CASE("delimiter: the longest delimiter wins at the same position", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r", "\r\n"}});
  h.feed("a\r\nb\rc\r\n");
  CHECK(h.frames == Frames{"a", "b", "c"});
}

TEST_CASE("delimiter: a short delimiter ends the frame at once, the longer tail is swallowed",
          "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r", "\r\n"}});
  h.feed("a\r");
  CHECK(h.frames == Frames{"a"});  // not held back waiting for a "\n" that may never come
  h.feed("\nb\r");
  CHECK(h.frames == Frames{"a", "b"});
  h.feed("c\r");  // no "\n" this time: "c" is a frame of its own
  CHECK(h.frames == Frames{"a", "b", "c"});
}

// Found with the tokenizer fuzzer: a tail that began to match and then did not ate the bytes
// that had matched, which belong to the next frame.
TEST_CASE("delimiter: a longer delimiter's tail that does not complete is frame data",
          "[tokenizer]") {
  Harness h(DelimiterSpec{{"ab", "abcd"}});
  h.feed("xab");
  CHECK(h.frames == Frames{"x"});
  h.feed("c");  // may still be "abcd": waits
  CHECK(h.frames == Frames{"x"});
  h.feed("Xab");
  CHECK(h.frames == Frames{"x", "cX"});
  h.feed("cd").feed("yab");
  CHECK(h.frames == Frames{"x", "cX", "y"});
}

TEST_CASE("delimiter: skip_empty", "[tokenizer]") {
  SECTION("on: \\r\\n split on \\r or \\n yields no empty frames") {
    Harness h(DelimiterSpec{{"\r", "\n"}, true});
    h.feed("a\r\nb\r\n\r\n");
    CHECK(h.frames == Frames{"a", "b"});
  }
  SECTION("off: empty frames are delivered") {
    Harness h(DelimiterSpec{{"\n"}, false});
    h.feed("a\n\nb\n");
    CHECK(h.frames == Frames{"a", "", "b"});
  }
}

TEST_CASE("delimiter: overflow drops the buffer, reports, and resyncs on the next delimiter",
          "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r\n"}}, 8);
  h.feed("0123456");
  CHECK(h.overflows.empty());
  h.feed("789AB");  // 12 bytes, no delimiter: dropped, except one byte that may start "\r\n"
  REQUIRE(h.overflows.size() == 1);
  CHECK(h.overflows[0] == 11);
  CHECK(h.tokenizer->buffered() <= 1);
  // The end of the oversized frame is not a frame: it is dropped and reported too.
  h.feed("CD\r\nok\r\n");
  CHECK(h.frames == Frames{"ok"});
  REQUIRE(h.overflows.size() == 2);
  CHECK(h.overflows[1] == 3);
}

// Found by the tokenizer fuzzer: the "\r" waiting for its "\n" counted towards the frame.
TEST_CASE("delimiter: a frame of max_frame bytes whose delimiter is split across reads is kept",
          "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r\n"}}, 8);
  h.feed("12345678\r");
  CHECK(h.overflows.empty());
  h.feed("\nok\r\n");
  CHECK(h.frames == Frames{"12345678", "ok"});
  CHECK(h.overflows.empty());

  h.feed("123456789\r");  // one byte too many is still too many
  h.feed("\n");
  CHECK(h.frames == Frames{"12345678", "ok"});
  CHECK(h.overflows == std::vector<std::size_t>{9});
}

TEST_CASE("delimiter: an oversized frame that arrives whole is dropped", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\n"}}, 4);
  h.feed("1234\n123456\nab\n");
  CHECK(h.frames == Frames{"1234", "ab"});
  CHECK(h.overflows == std::vector<std::size_t>{6});
}

TEST_CASE("delimiter: a stream without delimiters keeps being reported", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\n"}}, 10);
  for (int i = 0; i < 10; ++i) h.feed("xxxxxxxx");
  CHECK(h.overflows.size() >= 3);
  CHECK(h.tokenizer->buffered() == 0);
  h.feed("\nfine\n");
  CHECK(h.frames == Frames{"fine"});
}

TEST_CASE("delimiter: clear() drops a partial frame", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r"}});
  h.feed("partial");
  h.tokenizer->clear();
  CHECK(h.tokenizer->buffered() == 0);
  h.feed("next\r");
  CHECK(h.frames == Frames{"next"});
}

TEST_CASE("delimiter: clear() from inside on_frame drops the rest", "[tokenizer]") {
  auto t = roomd::make_tokenizer(DelimiterSpec{{"\n"}}, 100, nullptr);
  Frames frames;
  t->feed("a\nb\nc", [&](std::string_view f) {
    frames.emplace_back(f);
    t->clear();
    CHECK(frames.back() == std::string(f));  // the frame stays valid after clear()
  });
  CHECK(frames == Frames{"a"});
  CHECK(t->buffered() == 0);
  t->feed("d\n", [&](std::string_view f) { frames.emplace_back(f); });
  CHECK(frames == Frames{"a", "d"});
}

TEST_CASE("delimiter: a long stream costs no quadratic rescans", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\r\n"}}, 1 << 20);
  std::string chunk(1000, 'x');
  for (int i = 0; i < 500; ++i) h.feed(chunk);
  h.feed("\r\n");
  REQUIRE(h.frames.size() == 1);
  CHECK(h.frames[0].size() == 500000);
}

TEST_CASE("fixed length: frames across and within feeds", "[tokenizer]") {
  Harness h(FixedLengthSpec{4});
  h.feed("ab").feed("cdefghij");
  CHECK(h.frames == Frames{"abcd", "efgh"});
  CHECK(h.tokenizer->buffered() == 2);
  h.tokenizer->clear();
  CHECK(h.tokenizer->buffered() == 0);
  h.feed("1234");
  CHECK(h.frames == Frames{"abcd", "efgh", "1234"});
}

TEST_CASE("length header: Samsung MDC style frames", "[tokenizer]") {
  // AA FF id len | data(len) | checksum: total = len + 4 header bytes + 1 checksum.
  LengthHeaderSpec spec{
      .start_byte = 0xAA, .length_offset = 3, .length_size = 1, .big_endian = true, .adjust = 5};
  Harness h(spec);
  const std::string a = bytes({0xAA, 0xFF, 0x01, 0x03, 'A', 0x11, 0x01, 0x55});
  const std::string b = bytes({0xAA, 0xFF, 0x01, 0x01, 0x22, 0x66});
  h.feed(a.substr(0, 3)).feed(a.substr(3) + b.substr(0, 4));
  CHECK(h.frames == Frames{a});
  h.feed(b.substr(4));
  CHECK(h.frames == Frames{a, b});
  CHECK(h.overflows.empty());
}

TEST_CASE("length header: garbage before the start byte is discarded", "[tokenizer]") {
  LengthHeaderSpec spec{.start_byte = 0xAA, .length_offset = 1, .length_size = 1, .adjust = 2};
  Harness h(spec);
  const std::string frame = bytes({0xAA, 0x02, 'h', 'i'});
  h.feed("\x01\x02noise");
  CHECK(h.tokenizer->buffered() == 0);
  h.feed("junk" + frame + "\x7f" + frame);
  CHECK(h.frames == Frames{frame, frame});
  CHECK(h.overflows.empty());  // noise is not an overflow
}

TEST_CASE("length header: 2-byte big and little endian lengths", "[tokenizer]") {
  SECTION("big endian") {
    LengthHeaderSpec spec{.length_offset = 0, .length_size = 2, .big_endian = true, .adjust = 2};
    Harness h(spec, 1024);
    std::string payload(0x0102, 'p');
    const std::string frame = bytes({0x01, 0x02}) + payload;
    h.feed(frame.substr(0, 100)).feed(frame.substr(100) + frame);
    CHECK(h.frames == Frames{frame, frame});
  }
  SECTION("little endian") {
    LengthHeaderSpec spec{.length_offset = 1, .length_size = 2, .big_endian = false, .adjust = 3};
    Harness h(spec, 1024);
    std::string payload(0x0102, 'q');
    const std::string frame = bytes({0x7E, 0x02, 0x01}) + payload;
    h.feed(frame + frame.substr(0, 2)).feed(frame.substr(2));
    CHECK(h.frames == Frames{frame, frame});
  }
}

TEST_CASE("length header: 4-byte length", "[tokenizer]") {
  LengthHeaderSpec spec{.length_offset = 0, .length_size = 4, .big_endian = true, .adjust = 0};
  Harness h(spec);
  const std::string frame = bytes({0, 0, 0, 6, 'x', 'y'});
  h.feed(frame + frame);
  CHECK(h.frames == Frames{frame, frame});
}

TEST_CASE("length header: impossible lengths are dropped and reported", "[tokenizer]") {
  SECTION("above max_frame, no start byte: the whole buffer goes") {
    LengthHeaderSpec spec{.length_offset = 0, .length_size = 1, .adjust = 1};
    Harness h(spec, 16);
    h.feed(bytes({200, 1, 2, 3}));
    CHECK(h.overflows == std::vector<std::size_t>{4});
    CHECK(h.tokenizer->buffered() == 0);
    h.feed(bytes({2, 'a', 'b'}));
    CHECK(h.frames == Frames{bytes({2, 'a', 'b'})});
  }
  SECTION("shorter than the header") {
    LengthHeaderSpec spec{.length_offset = 1, .length_size = 1, .adjust = -5};
    Harness h(spec, 16);
    h.feed(bytes({0, 1, 9}));
    CHECK(h.overflows == std::vector<std::size_t>{3});
    CHECK(h.frames.empty());
  }
  SECTION("with a start byte: resync on the next start byte") {
    LengthHeaderSpec spec{.start_byte = 0xAA, .length_offset = 1, .length_size = 1, .adjust = 2};
    Harness h(spec, 16);
    const std::string good = bytes({0xAA, 1, 'z'});
    h.feed(bytes({0xAA, 0xF0, 1, 2}) + good);
    CHECK(h.overflows == std::vector<std::size_t>{4});
    CHECK(h.frames == Frames{good});
  }
}

TEST_CASE("length header: clear() drops a partial frame", "[tokenizer]") {
  LengthHeaderSpec spec{.length_offset = 0, .length_size = 1, .adjust = 1};
  Harness h(spec);
  h.feed(bytes({5, 'a'}));
  CHECK(h.tokenizer->buffered() == 2);
  h.tokenizer->clear();
  h.feed(bytes({1, 'x'}));
  CHECK(h.frames == Frames{bytes({1, 'x'})});
}

TEST_CASE("make_tokenizer rejects specs that cannot frame", "[tokenizer]") {
  CHECK_THROWS_AS(roomd::make_tokenizer(DelimiterSpec{}, 10, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(roomd::make_tokenizer(DelimiterSpec{{""}}, 10, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(roomd::make_tokenizer(FixedLengthSpec{0}, 10, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(roomd::make_tokenizer(FixedLengthSpec{11}, 10, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(roomd::make_tokenizer(LengthHeaderSpec{.length_size = 3}, 10, nullptr),
                  std::invalid_argument);
}

TEST_CASE("max_frame 0 means no limit", "[tokenizer]") {
  Harness h(DelimiterSpec{{"\n"}}, 0);
  h.feed(std::string(100000, 'a'));
  h.feed("\n");
  REQUIRE(h.frames.size() == 1);
  CHECK(h.overflows.empty());
}
