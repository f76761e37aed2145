#include "transports/tokenizer.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace roomd {

namespace {

constexpr auto kNpos = std::string_view::npos;

// Bytes received but not yet framed. Consumed bytes are skipped with an offset and only
// moved down when they outweigh what is left, so a steady stream of frames costs no
// allocation once the string has grown, and amortised O(1) copying per byte. consume()
// never touches the storage, so views handed to on_frame stay valid until the next append.
class FrameBuffer {
 public:
  void append(std::string_view bytes) {
    if (offset_ == data_.size()) {
      data_.clear();
      offset_ = 0;
    } else if (offset_ >= data_.size() - offset_) {
      data_.erase(0, offset_);
      offset_ = 0;
    }
    data_.append(bytes);
  }
  std::string_view pending() const { return std::string_view(data_).substr(offset_); }
  std::size_t size() const { return data_.size() - offset_; }
  void consume(std::size_t n) { offset_ = std::min(offset_ + n, data_.size()); }
  void clear() {
    data_.clear();
    offset_ = 0;
  }

 private:
  std::string data_;
  std::size_t offset_ = 0;
};

class PassthroughTokenizer final : public Tokenizer {
 public:
  void feed(std::string_view bytes, const FrameHandler& on_frame) override {
    if (!bytes.empty()) on_frame(bytes);
  }
  void clear() override {}
  std::size_t buffered() const override { return 0; }
};

// What every buffering tokenizer shares: the buffer, the size limit, and a clear() that is
// safe to call from inside on_frame (it is deferred until the current frame returns, so the
// frame being handled is not overwritten under the handler).
class BufferedTokenizer : public Tokenizer {
 public:
  BufferedTokenizer(std::size_t max_frame, OverflowHandler on_overflow)
      : max_frame_(max_frame), on_overflow_(std::move(on_overflow)) {}

  void feed(std::string_view bytes, const FrameHandler& on_frame) final {
    buffer_.append(bytes);
    {
      InFeed guard(*this);
      split(on_frame);
    }
    if (clear_requested_) reset();
  }

  void clear() final {
    if (in_feed_) {
      clear_requested_ = true;
    } else {
      reset();
    }
  }

  std::size_t buffered() const final { return buffer_.size(); }

 protected:
  // Emits every complete frame in buffer_ and consumes it (before calling on_frame), stopping
  // early when clear_requested() turns true.
  virtual void split(const FrameHandler& on_frame) = 0;
  virtual void reset_state() {}

  bool clear_requested() const { return clear_requested_; }
  bool over_limit(std::size_t size) const { return max_frame_ != 0 && size > max_frame_; }
  void report_overflow(std::size_t dropped) const {
    if (dropped > 0 && on_overflow_) on_overflow_(dropped);
  }

  FrameBuffer buffer_;
  const std::size_t max_frame_;

 private:
  // Keeps in_feed_ right even when on_frame throws.
  struct InFeed {
    explicit InFeed(BufferedTokenizer& t) : t(t) { t.in_feed_ = true; }
    ~InFeed() { t.in_feed_ = false; }
    BufferedTokenizer& t;
  };

  void reset() {
    clear_requested_ = false;
    buffer_.clear();
    reset_state();
  }

  OverflowHandler on_overflow_;
  bool in_feed_ = false;
  bool clear_requested_ = false;
};

class DelimiterTokenizer final : public BufferedTokenizer {
 public:
  DelimiterTokenizer(const DelimiterSpec& spec, std::size_t max_frame, OverflowHandler on_overflow)
      : BufferedTokenizer(max_frame, std::move(on_overflow)),
        delimiters_(spec.delimiters),
        skip_empty_(spec.skip_empty) {
    if (delimiters_.empty()) throw std::invalid_argument("delimiter tokenizer: no delimiter");
    // Longest first, so at one position "\r\n" wins over "\r".
    std::stable_sort(
        delimiters_.begin(), delimiters_.end(),
        [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& d : delimiters_) {
      if (d.empty()) throw std::invalid_argument("delimiter tokenizer: empty delimiter");
      if (first_bytes_.find(d.front()) == std::string::npos) first_bytes_ += d.front();
    }
    longest_ = delimiters_.front().size();
  }

 private:
  void split(const FrameHandler& on_frame) override {
    while (!clear_requested()) {
      std::string_view data = buffer_.pending();
      if (data.empty()) return;
      if (!ended_by_.empty()) {
        if (!skip_longer_delimiter(data)) break;  // its end has not arrived yet
        continue;
      }
      const auto [pos, length] = find_delimiter(data);
      if (pos == kNpos) break;
      std::string_view frame = data.substr(0, pos);
      if (pos + length == data.size() && starts_longer(data.substr(pos))) {
        ended_by_ = data.substr(pos);
      }
      buffer_.consume(pos + length);
      scan_from_ = 0;
      if (discarding_) {
        // The end of a frame that already overflowed: drop it and frame normally again.
        discarding_ = false;
        report_overflow(std::exchange(discarded_, 0) + frame.size());
      } else if (over_limit(frame.size())) {
        report_overflow(frame.size());
      } else if (!frame.empty() || !skip_empty_) {
        on_frame(frame);
      }
    }
    if (clear_requested()) return;
    limit_pending();
  }

  void reset_state() override {
    scan_from_ = 0;
    ended_by_.clear();
    discarding_ = false;
    discarded_ = 0;
  }

  // A frame was ended by a delimiter that is also the start of longer ones ("\r" of "\r\n")
  // and the data ran out right there. Frames are not held back waiting for what follows, so a
  // device that ends lines with "\r" alone is answered at once; but when the next bytes
  // complete a longer delimiter, they are that delimiter and not the start of the next frame,
  // exactly as if both had come in one read.
  bool starts_longer(std::string_view matched) const {
    return std::any_of(delimiters_.begin(), delimiters_.end(), [&](const std::string& d) {
      return d.size() > matched.size() && d.starts_with(matched);
    });
  }

  // Skips the rest of the longest delimiter that begins with ended_by_ and that `data`
  // completes. Returns false, consuming nothing, while `data` could still complete one (a
  // longer one wins, as it would in one read); bytes that complete none are left as they are.
  bool skip_longer_delimiter(std::string_view data) {
    for (const auto& d : delimiters_) {  // longest first
      if (d.size() <= ended_by_.size() || !d.starts_with(ended_by_)) continue;
      const std::string_view rest = std::string_view(d).substr(ended_by_.size());
      if (data.starts_with(rest)) {
        buffer_.consume(rest.size());
        break;
      }
      if (rest.starts_with(data)) return false;
    }
    ended_by_.clear();
    scan_from_ = 0;
    return true;
  }

  // Earliest complete delimiter, longest at a tie: {npos, 0} when there is none yet.
  std::pair<std::size_t, std::size_t> find_delimiter(std::string_view data) const {
    for (std::size_t pos = next_candidate(data, scan_from_); pos != kNpos;
         pos = next_candidate(data, pos + 1)) {
      const std::string_view rest = data.substr(pos);
      for (const auto& d : delimiters_) {
        if (rest.starts_with(d)) return {pos, d.size()};
      }
    }
    return {kNpos, 0};
  }

  std::size_t next_candidate(std::string_view data, std::size_t from) const {
    if (first_bytes_.size() == 1) return data.find(first_bytes_.front(), from);
    return data.find_first_of(first_bytes_, from);
  }

  // No delimiter in what is left. Past max_frame the bytes are dropped and the tokenizer
  // discards until the next delimiter, so the tail of an oversized frame is never handed out
  // as a frame of its own. The last longest-1 bytes are kept: they may begin a delimiter, so
  // they do not count towards the frame either (a frame of max_frame bytes whose delimiter is
  // split across two reads is still a frame).
  void limit_pending() {
    const std::size_t left = buffer_.size();
    const std::size_t keep = std::min(left, longest_ - 1);
    if (discarding_) {
      discarded_ += left - keep;
      buffer_.consume(left - keep);
      // A device streaming without delimiters keeps being reported, not just once.
      if (over_limit(discarded_)) report_overflow(std::exchange(discarded_, 0));
    } else if (over_limit(left - keep)) {
      discarding_ = true;
      buffer_.consume(left - keep);
      report_overflow(left - keep);
    }
    // Positions before this cannot start a delimiter; don't scan them again on the next feed.
    scan_from_ = buffer_.size() - std::min(buffer_.size(), longest_ - 1);
  }

  std::vector<std::string> delimiters_;
  std::string first_bytes_;  // the set of first bytes of all delimiters, for a fast scan
  std::size_t longest_ = 1;
  bool skip_empty_;
  std::size_t scan_from_ = 0;  // relative to the start of the pending bytes
  std::string ended_by_;       // the delimiter that ended the last frame, while it may go on
  bool discarding_ = false;
  std::size_t discarded_ = 0;  // dropped while discarding and not yet reported
};

class FixedLengthTokenizer final : public BufferedTokenizer {
 public:
  FixedLengthTokenizer(const FixedLengthSpec& spec, std::size_t max_frame,
                       OverflowHandler on_overflow)
      : BufferedTokenizer(max_frame, std::move(on_overflow)), length_(spec.length) {
    if (length_ == 0) throw std::invalid_argument("fixed-length tokenizer: length 0");
    if (over_limit(length_)) {
      throw std::invalid_argument("fixed-length tokenizer: length above max_frame");
    }
  }

 private:
  void split(const FrameHandler& on_frame) override {
    while (!clear_requested() && buffer_.size() >= length_) {
      const std::string_view frame = buffer_.pending().substr(0, length_);
      buffer_.consume(length_);
      on_frame(frame);
    }
  }

  std::size_t length_;
};

class LengthHeaderTokenizer final : public BufferedTokenizer {
 public:
  LengthHeaderTokenizer(const LengthHeaderSpec& spec, std::size_t max_frame,
                        OverflowHandler on_overflow)
      : BufferedTokenizer(max_frame, std::move(on_overflow)),
        spec_(spec),
        header_size_(spec.length_offset + spec.length_size) {
    if (spec_.length_size != 1 && spec_.length_size != 2 && spec_.length_size != 4) {
      throw std::invalid_argument("length-header tokenizer: length_size must be 1, 2 or 4");
    }
    if (spec_.start_byte > 0xFF) {
      throw std::invalid_argument("length-header tokenizer: start_byte above 255");
    }
  }

 private:
  bool has_start() const { return spec_.start_byte >= 0; }
  char start() const { return static_cast<char>(spec_.start_byte); }

  void split(const FrameHandler& on_frame) override {
    while (!clear_requested()) {
      std::string_view data = buffer_.pending();
      if (has_start()) {
        // Noise between frames (line glitches, half a frame from before we connected) is
        // normal on serial links and not worth an overflow report.
        const std::size_t at = data.find(start());
        if (at == kNpos) {
          buffer_.consume(data.size());
          return;
        }
        buffer_.consume(at);
        data.remove_prefix(at);
      }
      if (data.size() < header_size_) break;
      const long long total = static_cast<long long>(read_length(data)) + spec_.adjust;
      if (total < static_cast<long long>(header_size_) ||
          over_limit(static_cast<std::size_t>(total))) {
        // A corrupt header. With a start byte the next one may begin a good frame, so only
        // the bytes up to it go; without one there is no way to find the next frame.
        std::size_t drop = data.size();
        if (has_start()) drop = std::min(drop, data.find(start(), 1));
        buffer_.consume(drop);
        report_overflow(drop);
        continue;
      }
      const auto size = static_cast<std::size_t>(total);
      if (data.size() < size) break;
      buffer_.consume(size);
      on_frame(data.substr(0, size));
    }
    // Only reachable when the header alone is longer than max_frame.
    if (!clear_requested() && over_limit(buffer_.size())) {
      const std::size_t dropped = buffer_.size();
      buffer_.consume(dropped);
      report_overflow(dropped);
    }
  }

  std::uint64_t read_length(std::string_view data) const {
    const std::string_view field = data.substr(spec_.length_offset, spec_.length_size);
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < field.size(); ++i) {
      const std::size_t at = spec_.big_endian ? i : field.size() - 1 - i;
      value = (value << 8) | static_cast<unsigned char>(field[at]);
    }
    return value;
  }

  LengthHeaderSpec spec_;
  std::size_t header_size_;
};

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerSpec& spec, std::size_t max_frame,
                                          Tokenizer::OverflowHandler on_overflow) {
  return std::visit(
      Overloaded{
          [](std::monostate) -> std::unique_ptr<Tokenizer> {
            return std::make_unique<PassthroughTokenizer>();
          },
          [&](const DelimiterSpec& s) -> std::unique_ptr<Tokenizer> {
            return std::make_unique<DelimiterTokenizer>(s, max_frame, std::move(on_overflow));
          },
          [&](const FixedLengthSpec& s) -> std::unique_ptr<Tokenizer> {
            return std::make_unique<FixedLengthTokenizer>(s, max_frame, std::move(on_overflow));
          },
          [&](const LengthHeaderSpec& s) -> std::unique_ptr<Tokenizer> {
            return std::make_unique<LengthHeaderTokenizer>(s, max_frame, std::move(on_overflow));
          },
      },
      spec);
}

}  // namespace roomd
