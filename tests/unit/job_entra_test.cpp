// connection.auth and connection.endpoint: a job authenticates with an access key (the default)
// or with Entra ID against an endpoint; `auth: entra` without one runs against the embedded
// emulator, which then issues the tokens. Every mistake is reported with FILE:LINE:COL, and a
// connection string's key never appears in a message.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view resource = "endpoint=https://res.communication.azure.com/;accesskey=Q0FOQVJZLWtleS0xMjM0";

/// A job whose connection is `connection` (indented mapping lines, from line 4).
std::string with_connection(std::string_view connection) {
  return "version: 1\nname: t\nconnection:\n" + std::string(connection) + "users: {create: 1}\nsteps: [create_user]\n";
}

TEST(JobEntra, KeyIsTheDefault) {
  const job j = parse(with_connection("  api_version: \"2023-10-01\"\n"));
  EXPECT_EQ(j.connection.auth, auth_mode::key);
  EXPECT_TRUE(j.connection.embedded);
  EXPECT_TRUE(j.connection.endpoint.empty());
}

TEST(JobEntra, EndpointWithEntraNamesTheResource) {
  const job j = parse(with_connection("  endpoint: https://res.communication.azure.com/\n  auth: entra\n"));
  EXPECT_EQ(j.connection.auth, auth_mode::entra);
  EXPECT_FALSE(j.connection.embedded);
  EXPECT_EQ(j.connection.endpoint, "https://res.communication.azure.com/");
  EXPECT_TRUE(j.connection.connection_string.empty());
}

TEST(JobEntra, PlainHttpIsAcceptedForLoopbackOnly) {
  EXPECT_EQ(parse(with_connection("  endpoint: http://127.0.0.1:8089/\n  auth: entra\n")).connection.endpoint,
            "http://127.0.0.1:8089/");
  EXPECT_EQ(parse(with_connection("  endpoint: http://localhost:8089\n  auth: entra\n")).connection.endpoint,
            "http://localhost:8089");
  EXPECT_EQ(error_of(with_connection("  endpoint: http://res.communication.azure.com/\n  auth: entra\n")),
            "job.yaml:4:13: connection.endpoint must be https:// (plain http is accepted only for loopback hosts "
            "such as the emulator's 127.0.0.1)");
}

TEST(JobEntra, EntraWithoutEndpointRunsTheEmbeddedEmulatorWithEntra) {
  for (const auto* connection : {"  auth: entra\n", "  connection_string: embedded\n  auth: entra\n",
                                 "  endpoint: embedded\n  auth: entra\n"}) {
    const job j = parse(with_connection(connection));
    EXPECT_EQ(j.connection.auth, auth_mode::entra) << connection;
    EXPECT_TRUE(j.connection.embedded) << connection;
    EXPECT_TRUE(j.connection.endpoint.empty()) << connection;
  }
}

TEST(JobEntra, EndpointFromTheEnvironmentOrEmbeddedByDefault) {
  const auto text = with_connection("  endpoint: ${ACS_ENDPOINT:-embedded}\n  auth: entra\n  emulator: {limits: real}\n");
  EXPECT_TRUE(parse(text).connection.embedded);
  EXPECT_EQ(parse(text).connection.emulator.limits, "real");
  // From the environment a resource wins and the emulator's settings are ignored.
  const job j = parse(text, env_of({{"ACS_ENDPOINT", "https://res.communication.azure.com"}}));
  EXPECT_FALSE(j.connection.embedded);
  EXPECT_EQ(j.connection.endpoint, "https://res.communication.azure.com");
  EXPECT_EQ(j.connection.emulator.limits, "off");
}

TEST(JobEntra, EndpointGivenWithSet) {
  const job j = parse(with_connection("  auth: entra\n"), env_of(),
                      {parse_override("connection.endpoint=https://res.communication.azure.com/")});
  EXPECT_FALSE(j.connection.embedded);
  EXPECT_EQ(j.connection.endpoint, "https://res.communication.azure.com/");
}

TEST(JobEntra, UnknownAuthListsTheModes) {
  EXPECT_EQ(error_of(with_connection("  auth: aad\n")), "job.yaml:4:9: connection.auth must be one of key, entra, not 'aad'");
  EXPECT_EQ(error_of(with_connection("  auht: entra\n")), "job.yaml:4:3: unknown key 'auht' in connection; did you mean 'auth'?");
}

TEST(JobEntra, EndpointNeedsEntra) {
  EXPECT_EQ(error_of(with_connection("  endpoint: https://res.communication.azure.com/\n")),
            "job.yaml:4:3: connection.endpoint is for auth: entra; with an access key the endpoint is part of "
            "connection_string");
  EXPECT_EQ(error_of(with_connection("  endpoint: https://res.communication.azure.com/\n  auth: key\n")),
            "job.yaml:4:3: connection.endpoint is for auth: entra; with an access key the endpoint is part of "
            "connection_string");
}

TEST(JobEntra, EntraRefusesAConnectionStringWithAKeyWithoutShowingIt) {
  const auto message = error_of(with_connection("  connection_string: \"" + std::string(resource) + "\"\n  auth: entra\n"));
  EXPECT_EQ(message, "job.yaml:4:22: connection.connection_string holds an access key, which auth: entra does not use; "
                     "name the resource with connection.endpoint instead");
  EXPECT_THAT(message, Not(HasSubstr("Q0FOQVJZ")));
  // From the environment too: the file asked for Entra ID, the environment supplied a key.
  const auto from_env = error_of(with_connection("  connection_string: ${CS:-embedded}\n  auth: entra\n"),
                                 env_of({{"CS", std::string(resource)}}));
  EXPECT_EQ(from_env, "job.yaml:4:22: connection.connection_string holds an access key, which auth: entra does not "
                      "use; name the resource with connection.endpoint instead");
}

TEST(JobEntra, EmbeddedAndAnEndpointAreTwoServers) {
  EXPECT_EQ(error_of(with_connection("  connection_string: embedded\n  endpoint: https://res.communication.azure.com/\n"
                                     "  auth: entra\n")),
            "job.yaml:4:3: connection.connection_string: embedded and connection.endpoint name two different servers; "
            "keep one");
}

TEST(JobEntra, EmulatorSettingsBesideAnEndpointWrittenInTheFile) {
  EXPECT_EQ(error_of(with_connection("  endpoint: https://res.communication.azure.com/\n  auth: entra\n"
                                     "  emulator: {limits: real}\n")),
            "job.yaml:6:3: connection.emulator applies only to the embedded emulator, and this job names a resource; "
            "remove one of them");
}

TEST(JobEntra, MalformedEndpointsSayWhat) {
  EXPECT_EQ(error_of(with_connection("  endpoint: res.communication.azure.com\n  auth: entra\n")),
            "job.yaml:4:13: connection.endpoint is not an absolute URL (expected "
            "https://<resource>.communication.azure.com/)");
  EXPECT_EQ(error_of(with_connection("  endpoint: https://res.communication.azure.com/identities\n  auth: entra\n")),
            "job.yaml:4:13: connection.endpoint must have no path (got '/identities')");
  EXPECT_EQ(error_of(with_connection("  endpoint: ftp://res.communication.azure.com/\n  auth: entra\n")),
            "job.yaml:4:13: connection.endpoint scheme must be http or https, not 'ftp'");
}

TEST(JobEntra, AMalformedEndpointFromTheEnvironmentIsNotShown) {
  const auto message = error_of(with_connection("  endpoint: ${ACS_ENDPOINT}\n  auth: entra\n"),
                                env_of({{"ACS_ENDPOINT", "https://user:CANARY-pw@res.communication.azure.com/"}}));
  EXPECT_EQ(message, "job.yaml:4:13: connection.endpoint is not a URL such as https://<resource>.communication.azure.com/ "
                     "(the value came from the environment and is not shown)");
}

TEST(JobEntra, EveryProblemIsReportedInFileOrder) {
  EXPECT_THAT(errors_of(with_connection("  auth: bearer\n  api_version: \"2020-01-01\"\n")),
              ElementsAre(HasSubstr("job.yaml:4:9: connection.auth must be one of key, entra"),
                          HasSubstr("job.yaml:5:16: connection.api_version must be one of")));
}

}  // namespace
}  // namespace acsbatch::job
