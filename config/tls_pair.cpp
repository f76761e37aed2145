#include "config/tls_pair.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <utility>

namespace roomd {

namespace {

// The most specific error OpenSSL queued: the system's (a file it could not open) when there
// is one, else its last. The queue is emptied for the next call.
unsigned long last_error() {
  unsigned long last = 0;
  unsigned long system = 0;
  while (const unsigned long code = ERR_get_error()) {
    last = code;
    if (ERR_SYSTEM_ERROR(code)) system = code;
  }
  return system != 0 ? system : last;
}

TlsPairError fault(bool in_key, std::string what, unsigned long code) {
  if (ERR_SYSTEM_ERROR(code))
    return {in_key, std::move(what) + ": " + std::strerror(ERR_GET_REASON(code)) +
                        " (check that the service's user may read it)"};
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return {in_key, std::move(what) + " (OpenSSL: " + (reason ? reason : "unknown error") + ")"};
}

TlsPairError mismatch(const std::string& cert_file, const std::string& key_file,
                      unsigned long code) {
  return fault(
      true,
      "the private key in " + key_file + " does not belong to the certificate in " + cert_file,
      code);
}

}  // namespace

std::optional<TlsPairError> load_tls_pair(ssl_ctx_st* context, const std::string& cert_file,
                                          const std::string& key_file) {
  ERR_clear_error();
  // An encrypted key must fail here, not make OpenSSL ask for a pass phrase on the terminal.
  SSL_CTX_set_default_passwd_cb(context, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1)
    return fault(false, "cannot read a PEM certificate from " + cert_file, last_error());
  if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the certificate as it takes it.
    const auto code = last_error();
    if (ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH)
      return mismatch(cert_file, key_file, code);
    return fault(true, "cannot read an unencrypted PEM private key from " + key_file, code);
  }
  if (SSL_CTX_check_private_key(context) != 1) return mismatch(cert_file, key_file, last_error());
  return std::nullopt;
}

std::optional<TlsPairError> check_tls_pair(const std::string& cert_file,
                                           const std::string& key_file) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                            &SSL_CTX_free);
  if (!context) return fault(false, "cannot start OpenSSL", last_error());
  return load_tls_pair(context.get(), cert_file, key_file);
}

}  // namespace roomd
