// What a driver hands roomd: its info, its method table and how to make an instance.
// Built-in drivers and plugins (ROOMD_DRIVER_PLUGIN) produce it the same way.
#pragma once

#include "runtime/sdk/driver.hpp"
#include "runtime/sdk/driver_info.hpp"
#include "runtime/sdk/methods.hpp"

#include <functional>
#include <memory>
#include <string>

namespace roomd {

struct DriverRegistration {
  DriverInfo info;
  std::shared_ptr<MethodTable> methods;
  std::function<std::unique_ptr<Driver>()> create;
  std::string origin = "built-in";  // or the plugin's path
};

template <class D>
DriverRegistration make_registration() {
  DriverRegistration registration;
  registration.info = D::info();
  registration.methods = std::make_shared<MethodTable>();
  Methods<D> methods(*registration.methods);
  D::expose(methods);
  registration.info.methods = registration.methods->infos();
  registration.create = [] { return std::make_unique<D>(); };
  return registration;
}

}  // namespace roomd
