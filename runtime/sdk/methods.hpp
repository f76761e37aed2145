// How a driver exposes methods to exec: a member coroutine plus parameter names. Argument
// types come from the member's signature, so they are introspectable and checked before
// the driver runs: positional (array) or named (object) JSON in, JSON out.
#pragma once

#include "base/asio.hpp"
#include "base/json.hpp"
#include "base/json_types.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/errors.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace roomd {

class Driver;

// One parameter as a driver names it: {"on"}, Param("layer", "all") with a default, or
// Param("level", Range{0, 100}) for a number the device only takes within bounds.
struct Param {
  Param(const char* n) : name(n) {}  // NOLINT: {"on"} reads like the manual
  Param(std::string n, Json default_value)
      : name(std::move(n)), default_value(std::move(default_value)) {}
  Param(std::string n, Range range, std::optional<Json> default_value = std::nullopt)
      : name(std::move(n)), default_value(std::move(default_value)), range(range) {}
  std::string name;
  std::optional<Json> default_value;
  std::optional<Range> range;
};

using MethodInvoker = std::function<Task<Json>(Driver&, std::vector<Json>)>;

struct MethodEntry {
  MethodInfo info;
  MethodInvoker invoke;
};

class MethodTable {
 public:
  const MethodEntry* find(std::string_view name) const;
  std::vector<MethodInfo> infos() const;
  MethodEntry& add(MethodEntry entry);
  // Matches JSON args (array or object) to the parameters and checks declared ranges;
  // throws BadArguments.
  static std::vector<Json> bind_arguments(const MethodInfo& info, const Json& args);

 private:
  std::vector<std::unique_ptr<MethodEntry>> entries_;
};

namespace detail {

template <class T>
struct JsonTypeName {
  static constexpr const char* value = "any";
};
template <>
struct JsonTypeName<bool> {
  static constexpr const char* value = "boolean";
};
template <>
struct JsonTypeName<std::string> {
  static constexpr const char* value = "string";
};
template <>
struct JsonTypeName<void> {
  static constexpr const char* value = "null";
};
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) struct JsonTypeName<T> {
  static constexpr const char* value = "integer";
};
template <class T>
requires std::is_floating_point_v<T>
struct JsonTypeName<T> {
  static constexpr const char* value = "number";
};
template <class T>
struct JsonTypeName<std::vector<T>> {
  static constexpr const char* value = "array";
};
template <class T>
struct JsonTypeName<std::optional<T>> {
  static constexpr const char* value = JsonTypeName<T>::value;
};

// Throws BadArguments naming the parameter and the method's signature.
[[noreturn]] void wrong_type(const MethodInfo& info, std::size_t index, const Json& value);

// Throws logic_error for a range on a parameter that is no number, or a default outside it:
// a driver bug, found when the driver is registered rather than when someone calls it.
void check_ranges(const MethodInfo& info);

template <class T>
inline constexpr bool kIsOptional = false;
template <class T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

template <class T>
T convert_argument(const MethodInfo& info, std::size_t index, Json& value) {
  if constexpr (std::is_same_v<T, Json>) {
    return std::move(value);
  } else if constexpr (kIsOptional<T>) {
    if (value.is_null()) return std::nullopt;
    return convert_argument<typename T::value_type>(info, index, value);
  } else {
    if (!json_is(JsonTypeName<T>::value, value)) wrong_type(info, index, value);
    try {
      return value.get<T>();
    } catch (const std::exception&) {
      wrong_type(info, index, value);
    }
  }
}

template <class D, class R, class... A, std::size_t... I>
Task<Json> call_method(D& driver, Task<R> (D::*fn)(A...), std::vector<Json> values,
                       const MethodInfo* info, std::index_sequence<I...>) {
  std::tuple<std::decay_t<A>...> args{convert_argument<std::decay_t<A>>(*info, I, values[I])...};
  if constexpr (std::is_void_v<R>) {
    co_await (driver.*fn)(std::move(std::get<I>(args))...);
    co_return Json(nullptr);
  } else {
    co_return Json((co_await (driver.*fn)(std::move(std::get<I>(args))...)));
  }
}

}  // namespace detail

class MethodBuilder {
 public:
  explicit MethodBuilder(MethodEntry& entry) : entry_(entry) {}
  // The status variable this method writes (a "writable status" for other dialects).
  MethodBuilder& sets(std::string status) {
    entry_.info.sets = std::move(status);
    return *this;
  }
  MethodBuilder& describe(std::string text) {
    entry_.info.description = std::move(text);
    return *this;
  }
  // Only admin keys may call it (a factory reset, a raw passthrough): operators get error 2.
  MethodBuilder& privileged() {
    entry_.info.privileged = true;
    return *this;
  }

 private:
  MethodEntry& entry_;
};

template <class D>
class Methods {
 public:
  explicit Methods(MethodTable& table) : table_(table) {}

  template <class R, class... A>
  MethodBuilder method(std::string name, Task<R> (D::*fn)(A...), std::vector<Param> params = {}) {
    if (params.size() != sizeof...(A))
      throw std::logic_error("driver method " + name + " names " + std::to_string(params.size()) +
                             " parameters but takes " + std::to_string(sizeof...(A)));
    MethodEntry entry;
    entry.info.name = std::move(name);
    entry.info.returns = detail::JsonTypeName<R>::value;
    const char* types[] = {detail::JsonTypeName<std::decay_t<A>>::value..., ""};
    for (std::size_t i = 0; i < params.size(); ++i)
      entry.info.params.push_back(
          {params[i].name, types[i], params[i].default_value, params[i].range});
    detail::check_ranges(entry.info);
    auto& stored = table_.add(std::move(entry));
    const MethodInfo* info = &stored.info;
    stored.invoke = [fn, info](Driver& driver, std::vector<Json> values) {
      return detail::call_method(static_cast<D&>(driver), fn, std::move(values), info,
                                 std::index_sequence_for<A...>{});
    };
    return MethodBuilder(stored);
  }

 private:
  MethodTable& table_;
};

}  // namespace roomd
