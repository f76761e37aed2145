#include "runtime/driver_registry.hpp"

#include "runtime/plugin_library.hpp"

#include <filesystem>

namespace roomd {
namespace {

bool looks_like_path(std::string_view driver) {
  return driver.find('/') != std::string_view::npos || driver.ends_with(".so");
}

}  // namespace

DriverRegistry::DriverRegistry() = default;

DriverRegistry::~DriverRegistry() {
  drivers_.clear();  // their std::functions point into plugin code
  plugins_.clear();
}

void DriverRegistry::add(DriverRegistration registration) {
  auto name = registration.info.name;
  if (drivers_.count(name))
    throw std::logic_error("driver " + name + " is registered twice (" + drivers_.at(name).origin +
                           " and " + registration.origin + ")");
  drivers_.emplace(std::move(name), std::move(registration));
}

const DriverRegistration* DriverRegistry::find(std::string_view name) const {
  auto it = drivers_.find(name);
  return it == drivers_.end() ? nullptr : &it->second;
}

std::vector<const DriverRegistration*> DriverRegistry::all() const {
  std::vector<const DriverRegistration*> out;
  for (const auto& [name, registration] : drivers_) out.push_back(&registration);
  return out;
}

const DriverRegistration* DriverRegistry::resolve(const std::string& driver,
                                                  const std::vector<std::string>& driver_path,
                                                  std::string& error) {
  if (!looks_like_path(driver)) {
    if (auto* found = find(driver)) return found;
  }
  std::string path;
  if (looks_like_path(driver)) {
    path = driver;
  } else {
    for (const auto& dir : driver_path) {
      for (const auto& file : {"lib" + driver + ".so", driver + ".so"}) {
        auto candidate = std::filesystem::path(dir) / file;
        if (std::filesystem::exists(candidate)) {
          path = candidate.string();
          break;
        }
      }
      if (!path.empty()) break;
    }
    if (path.empty()) {
      std::string known;
      for (const auto& [name, r] : drivers_) known += (known.empty() ? "" : ", ") + name;
      error = "unknown driver \"" + driver + "\" (built-in: " + known +
              (driver_path.empty() ? "; no driver_path set for plugins)"
                                   : "; not found as lib" + driver + ".so on driver_path)");
      return nullptr;
    }
  }
  auto canonical = std::filesystem::weakly_canonical(path).string();
  if (auto it = plugin_names_.find(canonical); it != plugin_names_.end()) return find(it->second);
  if (!std::filesystem::exists(canonical)) {
    error = "driver plugin " + path + " does not exist";
    return nullptr;
  }
  try {
    auto library = std::make_unique<PluginLibrary>(canonical);
    auto registration = library->registration();
    auto name = registration.info.name;
    if (find(name)) {
      error = "driver plugin " + path + " registers driver \"" + name +
              "\", which already exists (" + find(name)->origin + ")";
      return nullptr;
    }
    plugins_.push_back(std::move(library));
    add(std::move(registration));
    plugin_names_[canonical] = name;
    return find(name);
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

}  // namespace roomd
