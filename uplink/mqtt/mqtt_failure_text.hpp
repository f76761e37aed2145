// Why a connection to the broker failed, in words an integrator can act on: CONNACK refusals
// of MQTT 3.1.1 and 5, and TLS failures with the config key to check.
#pragma once

#include <string>
#include <string_view>

namespace roomd {

// The refusal in a CONNACK (`protocol` 311: codes 1-5; 5: reason codes 0x80 and up), with
// the config key or broker setting to check: "bad username or password; check ...".
std::string connack_refusal_text(int protocol, int code);

// OpenSSL's reason in one of libmosquitto's log lines ("OpenSSL Error[0]: error:0A000086:SSL
// routines::certificate verify failed" -> "certificate verify failed"); empty when the line
// is not an OpenSSL error.
std::string openssl_reason(std::string_view log_line);

// What to check after a TLS handshake failed for `reason` (from openssl_reason).
std::string tls_failure_hint(std::string_view reason);

}  // namespace roomd
