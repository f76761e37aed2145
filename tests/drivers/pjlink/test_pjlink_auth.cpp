#include "drivers/pjlink/pjlink_auth.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using roomd::pjlink::pjlink_digest;
using roomd::pjlink::random_challenge;

TEST_CASE("pjlink_digest matches the PJLink specification's example", "[pjlink][auth]") {
  CHECK(pjlink_digest("498e4a67", "JBMIAProjectorLink") == "5d8409bc1c3fa39749434aa3a5c38682");
}

TEST_CASE("pjlink_digest is the MD5 of random and password with nothing between",
          "[pjlink][auth]") {
  // md5("") and md5("abc") from RFC 1321.
  CHECK(pjlink_digest("", "") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(pjlink_digest("a", "bc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(pjlink_digest("ab", "c") == pjlink_digest("a", "bc"));
}

TEST_CASE("random_challenge is eight lowercase hex characters that vary", "[pjlink][auth]") {
  const auto first = random_challenge();
  REQUIRE(first.size() == 8);
  CHECK(std::all_of(first.begin(), first.end(),
                    [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
  // 2^-32 per draw of a repeat; ten draws all equal would mean no randomness at all.
  bool differs = false;
  for (int i = 0; i < 10 && !differs; ++i) differs = random_challenge() != first;
  CHECK(differs);
}
