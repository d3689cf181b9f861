#include "acsbatch/emulator/request_capture.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "acsbatch/core/error.hpp"

namespace acsbatch::emulator {
namespace {

// A capture is for comparing what clients send; it must never hold a secret.
TEST(EmulatorRequestCapture, RedactsTheHmacSignatureButKeepsTheSignedHeaderList) {
  EXPECT_EQ(redact_authorization("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=7yRGa+/2QlFSOxrIAJIdq1R075dw/9vQ++H9ASWFVeI="),
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<redacted>");
}

TEST(EmulatorRequestCapture, RedactsABearerTokenAndAnyOtherCredential) {
  EXPECT_EQ(redact_authorization("Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2VjcmV0"), "Bearer <redacted>");
  EXPECT_EQ(redact_authorization("Basic dXNlcjpwYXNz"), "Basic <redacted>");
  EXPECT_EQ(redact_authorization("opaque-secret"), "<redacted>");
}

TEST(EmulatorRequestCapture, LineHoldsMethodPathQueryHeadersInOrderAndBody) {
  http::request req;
  req.method = "POST";
  req.target = "/identities/8%3Aacs%3Aabc/:issueAccessToken?api-version=2023-10-01";
  req.headers.add("Content-Type", "application/json");
  req.headers.add("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2lnbmF0dXJl");
  req.body = R"({"scopes":["voip"]})";
  const auto line = boost::json::parse(capture_line(req)).as_object();
  EXPECT_EQ(line.at("method"), "POST");
  EXPECT_EQ(line.at("path"), "/identities/8%3Aacs%3Aabc/:issueAccessToken");
  EXPECT_EQ(line.at("query"), "api-version=2023-10-01");
  const auto& headers = line.at("headers").as_array();
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].as_array()[0], "Content-Type");
  EXPECT_EQ(headers[1].as_array()[1],
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<redacted>");
  EXPECT_EQ(line.at("body"), R"({"scopes":["voip"]})");
}

TEST(EmulatorRequestCapture, RedactsTheSecretsOfAFormEncodedTokenRequest) {
  http::request req;
  req.method = "POST";
  req.target = "/tenant/oauth2/v2.0/token";
  req.headers.add("Content-Type", "application/x-www-form-urlencoded;charset=utf-8");
  req.body = "grant_type=client_credentials&client_id=app&client_secret=CANARY-s3cr3t&scope=x";
  const auto line = capture_line(req);
  EXPECT_EQ(line.find("CANARY"), std::string::npos) << line;
  EXPECT_EQ(boost::json::parse(line).at("body"),
            "grant_type=client_credentials&client_id=app&client_secret=<redacted>&scope=x");
}

TEST(EmulatorRequestCapture, FileIsPrivateAndGetsOneLinePerRequest) {
  const auto file = std::filesystem::temp_directory_path() / ("acsbatch-capture-" + std::to_string(::getpid()) + ".jsonl");
  {
    request_capture capture{file};
    http::request req;
    req.method = "DELETE";
    req.target = "/identities/x?api-version=2023-10-01";
    capture.record(req);
    capture.record(req);
  }
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::ifstream in(file);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 2);
  std::filesystem::remove(file);
}

TEST(EmulatorRequestCapture, UnwritableFileIsAConfigError) {
  EXPECT_THROW(request_capture{"/nonexistent-dir/capture.jsonl"}, config_error);
}

}  // namespace
}  // namespace acsbatch::emulator
