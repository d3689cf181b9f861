// Test helper of the conformance suite: signs requests with acsbatch's own HMAC signer so that
// signer.js can compare every signature with the official SDK's.
// Usage: conformance_signer BASE64_KEY < requests; each stdin line is a JSON object
// {"method","target","host","date","body"} (target = path and query as sent), each stdout line
// {"content_sha256","authorization"} for it, in order.

#include <iostream>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/auth/hmac_signer.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: conformance_signer BASE64_KEY < requests.jsonl\n";
    return 64;
  }
  const auto key = acsbatch::auth::base64_decode(argv[1]);
  if (!key) {
    std::cerr << "conformance_signer: the key is not base64\n";
    return 64;
  }
  const acsbatch::auth::hmac_signer signer{*key};
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto request = boost::json::parse(line).as_object();
    const auto text = [&](const char* name) {
      const auto& value = request.at(name).as_string();
      return std::string_view{value.data(), value.size()};
    };
    const auto headers = signer.sign(text("method"), text("target"), text("host"), text("date"), text("body"));
    boost::json::object out;
    out["content_sha256"] = headers.content_sha256;
    out["authorization"] = headers.authorization;
    std::cout << boost::json::serialize(out) << '\n';
  }
  return 0;
}
