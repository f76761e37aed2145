// The subject_update texts of one change, built once however many DAS clients get them: one
// per subject (a module as a system lists it) and kind of key (with or without the track).
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <utility>

namespace roomd {

class DasSubjectTexts {
 public:
  // `name` is the module as `sys` lists it ("Display_1").
  template <class Build>
  const std::string& get(const std::string& sys, const std::string& name, bool track,
                         Build&& build) {
    auto key = std::make_tuple(sys, name, track);
    auto found = texts_.find(key);
    if (found == texts_.end()) found = texts_.emplace(std::move(key), build()).first;
    return found->second;
  }

 private:
  std::map<std::tuple<std::string, std::string, bool>, std::string> texts_;
};

}  // namespace roomd
