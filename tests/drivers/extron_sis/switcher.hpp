// An Extron SIS switcher played byte by byte for the driver's transcripts: the words it sends
// (banner, prompt, login, answers) and the ways the driver gets online with it.
#pragma once

#include "tests/support/transcript.hpp"

#include <string>

namespace roomd::test::extron_sis {

inline const std::string kVerbose =
    "\x1b"
    "3CV\r";
inline const std::string kBanner =
    "(c) Copyright 2020, Extron Electronics, DXP 88 HDMI, V1.02, 60-1234-01\r\n"
    "Mon, 05 Dec 2026 09:00:00\r\n";
inline const std::string kPrompt = "\r\nPassword:";
inline constexpr const char* kPassword = "Extr0n-Admin!";

inline Json ties_of(int video, int audio) {
  return {{"video", video}, {"audio", audio}};
}

struct Switcher : Transcript {
  // Four outputs and no keep-alive unless a test says otherwise; with no banner (RS-232) the
  // driver goes online after login_wait, which is short.
  explicit Switcher(const Json& settings = Json::object())
      : Transcript("extron_sis", with_defaults(settings)) {}

  static Json with_defaults(const Json& settings) {
    Json all = {{"keepalive_every", "1h"}, {"outputs", 4}, {"login_wait", "1ms"}};
    all.update(settings);
    return all;
  }

  // Online after login_wait with verbose mode 3 set: what every method's transcript starts at.
  Transcript& online() { return should_send_later(kVerbose).responds("Vrb3\r\n"); }

  // Greets with the banner and a password prompt; takes `password` with the login `level`.
  Transcript& logs_in(const std::string& password, const std::string& level = "Administrator") {
    return responds(kBanner + kPrompt)
        .should_send(password + "\r")
        .responds("\r\nLogin " + level + "\r\n")
        .should_send(kVerbose)
        .responds("Vrb3\r\n")
        .expect_status("connected", true);
  }
};

}  // namespace roomd::test::extron_sis
