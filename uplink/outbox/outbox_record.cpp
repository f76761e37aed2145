#include "uplink/outbox/outbox_record.hpp"

#include "base/log_level.hpp"

namespace roomd {

RecordValue value_of(std::string_view kind, const Json& fields) {
  if (kind == "status") return RecordValue::telemetry;
  if (kind == "exec") return RecordValue::audit;
  if (kind == "alert") return RecordValue::warning;
  if (kind == "log") {
    auto level = LogLevel::warn;  // a log record without a readable level is kept like a warning
    if (fields.is_object()) {
      auto it = fields.find("level");
      if (it != fields.end() && it->is_string()) {
        level = parse_log_level(it->get_ref<const std::string&>()).value_or(LogLevel::warn);
      }
    }
    return level >= LogLevel::warn ? RecordValue::warning : RecordValue::low_log;
  }
  return RecordValue::event;
}

std::string record_text(std::string_view box, Cursor at, double ts, std::string_view kind,
                        Json fields) {
  std::string text = "{\"box\":";
  text += to_text(Json(box));
  text += ",\"epoch\":";
  text += std::to_string(at.epoch);
  text += ",\"seq\":";
  text += std::to_string(at.seq);
  text += ",\"ts\":";
  text += Json(ts).dump();
  text += ",\"kind\":";
  text += to_text(Json(kind));
  if (!fields.is_object()) {
    if (!fields.is_null()) fields = Json{{"value", std::move(fields)}};
  } else {
    for (const char* name : {"box", "epoch", "seq", "ts", "kind"}) fields.erase(name);
  }
  if (fields.is_object() && !fields.empty()) {
    const auto body = to_text(fields);
    text += ',';
    text.append(body, 1, std::string::npos);  // past the '{', through the closing '}'
  } else {
    text += '}';
  }
  return text;
}

}  // namespace roomd
