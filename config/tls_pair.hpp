// Loads a certificate and its private key into an OpenSSL context and checks that they
// belong together, in one place: check-config runs it on a scratch context, the API server on
// the one it serves with, so both report the same problem in the same words.
#pragma once

#include <optional>
#include <string>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of the includers

namespace roomd {

struct TlsPairError {
  bool in_key = false;  // the key file is at fault (else the certificate file)
  std::string message;  // names the file and OpenSSL's reason, never the key's bytes
};

// Nullopt when `context` now serves with the pair.
std::optional<TlsPairError> load_tls_pair(ssl_ctx_st* context, const std::string& cert_file,
                                          const std::string& key_file);
// The same on a context of its own, for validation.
std::optional<TlsPairError> check_tls_pair(const std::string& cert_file,
                                           const std::string& key_file);

}  // namespace roomd
