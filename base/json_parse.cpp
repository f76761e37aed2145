#include "base/json_parse.hpp"

#include <nlohmann/detail/input/json_sax.hpp>

namespace roomd {

namespace {

// The library's own DOM builder, with a depth count in front that stops the parse (the
// parser itself is iterative) before the value gets deeper than allowed.
class LimitedBuilder {
 public:
  using Dom = nlohmann::detail::json_sax_dom_parser<Json>;

  LimitedBuilder(JsonParseResult& result, const JsonParseOptions& options)
      : result_(result), options_(options), dom_(result.value, false) {}

  bool null() { return value(dom_.null()); }
  bool boolean(bool v) { return value(dom_.boolean(v)); }
  bool number_integer(Json::number_integer_t v) { return value(dom_.number_integer(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return value(dom_.number_unsigned(v)); }
  bool number_float(Json::number_float_t v, const std::string& text) {
    if (raw_next_) result_.raw_number = text;
    return value(dom_.number_float(v, text));
  }
  bool string(std::string& v) { return value(dom_.string(v)); }
  bool binary(Json::binary_t& v) { return value(dom_.binary(v)); }
  bool start_object(std::size_t n) { return open() && dom_.start_object(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return open() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool key(std::string& k) {
    raw_next_ = depth_ == 1 && !options_.raw_number_key.empty() && k == options_.raw_number_key;
    return dom_.key(k);
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    result_.byte = position;
    // A number too large for a double: the library quotes all of it, however long.
    constexpr int kNumberOverflow = 406;
    result_.error = e.id == kNumberOverflow ? "number overflow" : reason(e.what());
    return false;
  }

 private:
  bool value(bool ok) {
    raw_next_ = false;
    return ok;
  }
  bool open() {
    raw_next_ = false;
    if (++depth_ <= options_.max_depth) return true;
    result_.error = "nested deeper than " + std::to_string(options_.max_depth) + " levels";
    return false;
  }
  // The library's message quotes the input near the error ("last read: ..."), which may be a
  // password or a client's garbage of any length: only the reason is kept.
  static std::string reason(std::string_view what) {
    if (auto dash = what.find(" - "); dash != std::string_view::npos) what.remove_prefix(dash + 3);
    const auto last_read = what.find("; last read: ");
    if (last_read == std::string_view::npos) return std::string(what);
    std::string out(what.substr(0, last_read));
    // The library's own "; expected …" comes last and is short; the input may hold the same
    // words, so the last one is taken and only when it is short.
    constexpr std::size_t kMaxExpected = 64;
    if (auto expected = what.rfind("; expected"); expected != std::string_view::npos &&
                                                  expected > last_read &&
                                                  what.size() - expected <= kMaxExpected)
      out += what.substr(expected);
    return out;
  }

  JsonParseResult& result_;
  const JsonParseOptions& options_;
  Dom dom_;
  int depth_ = 0;
  bool raw_next_ = false;
};

}  // namespace

JsonParseResult parse_json(std::string_view text, const JsonParseOptions& options) {
  JsonParseResult result;
  LimitedBuilder builder(result, options);
  const bool ok =
      Json::sax_parse(text, &builder, Json::input_format_t::json, true, options.comments);
  if (!ok || !result.error.empty()) {
    if (result.error.empty()) result.error = "invalid JSON";
    result.value = Json(Json::value_t::discarded);
  }
  return result;
}

}  // namespace roomd
