// connection.ca_file and connection.tls_verify: the CA bundle is found beside the job file (or
// from the working directory when given with --set), and verification is on unless a job says
// `tls_verify: false` in so many words.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;
using ::testing::HasSubstr;

/// A job whose connection is `connection` (indented mapping lines, from line 4).
std::string with_connection(std::string_view connection) {
  return "version: 1\nname: t\nconnection:\n" + std::string(connection) + "users: {create: 1}\nsteps: [create_user]\n";
}

TEST(JobConnectionTls, VerificationIsOnAndNoCaFileByDefault) {
  const job j = parse(with_connection("  api_version: \"2023-10-01\"\n"));
  EXPECT_TRUE(j.connection.tls_verify);
  EXPECT_TRUE(j.connection.ca_file.empty());
}

TEST(JobConnectionTls, CaFileIsRelativeToTheJobFileUnlessAbsolute) {
  EXPECT_EQ(parse_job(with_connection("  ca_file: certs/ca.pem\n"), "jobs/job.yaml", env_of()).connection.ca_file,
            "jobs/certs/ca.pem");
  EXPECT_EQ(parse_job(with_connection("  ca_file: /etc/ssl/private-ca.pem\n"), "jobs/job.yaml", env_of())
                .connection.ca_file,
            "/etc/ssl/private-ca.pem");
}

TEST(JobConnectionTls, CaFileGivenWithSetIsRelativeToTheWorkingDirectory) {
  const job j = parse_job(with_connection("  api_version: \"2023-10-01\"\n"), "jobs/job.yaml", env_of(),
                          {parse_override("connection.ca_file=certs/ca.pem")});
  EXPECT_EQ(j.connection.ca_file, "certs/ca.pem");
}

TEST(JobConnectionTls, TlsVerifyFalseIsRead) {
  EXPECT_FALSE(parse(with_connection("  tls_verify: false\n")).connection.tls_verify);
  EXPECT_TRUE(parse(with_connection("  tls_verify: true\n")).connection.tls_verify);
}

TEST(JobConnectionTls, BadValuesAreReportedWithTheirPosition) {
  EXPECT_THAT(error_of(with_connection("  tls_verify: sometimes\n")), HasSubstr("job.yaml:4:"));
  EXPECT_THAT(error_of(with_connection("  ca_file: certs/\n")),
              HasSubstr("connection.ca_file must name a PEM file of CA certificates"));
  EXPECT_THAT(error_of(with_connection("  ca_fle: ca.pem\n")), HasSubstr("did you mean 'ca_file'?"));
}

}  // namespace
}  // namespace acsbatch::job
