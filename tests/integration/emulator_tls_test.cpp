// The emulator over HTTPS (`--tls-cert F --tls-key F`) and the client's verification of it, end
// to end: certificates are minted at test time with the openssl CLI (a test CA, a second CA
// nobody trusts, and server certificates that are valid, expired, or issued for another name).
// The client trusts the test CA through connection.ca_file and must refuse every bad case with
// exit 69 and a message that says which check failed; connection.tls_verify: false is the only
// way past, and it warns.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/http/client.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string binary = ACSBATCH_BINARY;
const fs::path source_dir = ACSBATCH_SOURCE_DIR;
const std::string quickstart = (source_dir / "jobs" / "quickstart.yaml").string();
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";

/// The openssl CLI from PATH (scripts/setup.sh installs the Debian package `openssl`).
std::string openssl_program() {
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  for (std::string dir; std::getline(path, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / "openssl").c_str(), X_OK) == 0) return (fs::path(dir) / "openssl").string();
  throw std::runtime_error("the openssl command is not installed (scripts/setup.sh installs it)");
}

/// `openssl ca` needs a configuration; each extensions section is one kind of server
/// certificate. No system openssl.cnf is read, so the result does not depend on the machine.
constexpr const char* ca_config = R"(
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
[any_name]
commonName = supplied
[ca_cert]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[loopback]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[elsewhere]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:acsbatch.invalid
)";

/// A test CA, a CA nobody trusts, one server key, and certificates for it made by the test CA.
struct test_pki {
  fs::path ca, other_ca, key, valid, expired, misnamed, other_ca_signed;

  explicit test_pki(const fs::path& dir) {
    const std::string openssl = openssl_program();
    std::ofstream(dir / "ca.cnf") << ca_config;
    const auto run = [&](std::vector<std::string> args) {
      args.insert(args.begin(), openssl);
      const auto result = run_process(args, dir, {{"OPENSSL_CONF", (dir / "ca.cnf").string()}}, 60s);
      if (result.exit_code != 0) throw std::runtime_error("openssl " + args[1] + " failed: " + result.err);
    };
    const auto make_ca = [&](const std::string& name, const std::string& subject) {
      run({"req", "-config", "ca.cnf", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", subject, "-extensions", "ca_cert"});
    };
    make_ca("ca", "/CN=acsbatch test CA");
    make_ca("other-ca", "/CN=acsbatch untrusted CA");
    run({"req", "-config", "ca.cnf", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=acsbatch emulator"});
    const auto sign = [&](const std::string& by, const std::string& out, const std::string& extensions,
                          std::vector<std::string> validity) {
      std::ofstream(dir / "index.txt", std::ios::trunc);
      std::ofstream(dir / "serial") << "1000\n";
      std::vector<std::string> args{"ca", "-batch", "-config", "ca.cnf", "-cert", by + ".pem", "-keyfile", by + ".key",
                                    "-in", "server.csr", "-out", out, "-extensions", extensions, "-notext"};
      args.insert(args.end(), validity.begin(), validity.end());
      run(args);
    };
    sign("ca", "valid.pem", "loopback", {"-days", "2"});
    sign("ca", "expired.pem", "loopback", {"-startdate", "20200101000000Z", "-enddate", "20200102000000Z"});
    sign("ca", "misnamed.pem", "elsewhere", {"-days", "2"});
    sign("other-ca", "other-ca-signed.pem", "loopback", {"-days", "2"});
    ca = dir / "ca.pem";
    other_ca = dir / "other-ca.pem";
    key = dir / "server.key";
    valid = dir / "valid.pem";
    expired = dir / "expired.pem";
    misnamed = dir / "misnamed.pem";
    other_ca_signed = dir / "other-ca-signed.pem";
  }
};

class EmulatorTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new temp_dir;
    pki_ = new test_pki(dir_->path());
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  static emulator::server_options serving(const fs::path& certificate) {
    emulator::server_options options;
    options.tls_certificate_file = certificate;
    options.tls_key_file = pki().key;
    return options;
  }

  /// `acsbatch run` of the quickstart against `server`, with `sets` as --set overrides.
  static process_result run_quickstart(const emulator::embedded_emulator& server, const fs::path& cwd,
                                       const std::vector<std::string>& sets) {
    std::vector<std::string> args{binary, "run", quickstart};
    for (const auto& set : sets) args.insert(args.end(), {"--set", set});
    return run_process(args, cwd, {{connection_env, server.connection_string()}});
  }

  static const test_pki& pki() { return *pki_; }

  temp_dir work;

 private:
  static inline temp_dir* dir_ = nullptr;
  static inline test_pki* pki_ = nullptr;
};

/// GET /emulator/stats over https, trusting the test CA (or, for the emulators serving a bad
/// certificate on purpose, without verification).
boost::json::value stats_of(const emulator::embedded_emulator& server, const fs::path& ca, bool verify = true) {
  boost::asio::io_context io;
  http::client client{io.get_executor(), {.verify_tls = verify, .ca_file = ca.string()}};
  http::request req;
  req.method = "GET";
  req.target = "/emulator/stats";
  const auto response = run_to_completion(io, client.send({"https", "127.0.0.1", server.port()}, req, 5s));
  if (!response) throw std::runtime_error("stats over https failed: " + response.error().message());
  return boost::json::parse(response->body);
}

int created(const boost::json::value& stats) { return stats.at("identities").at("created").to_number<int>(); }

TEST_F(EmulatorTls, ServesHttpsToAClientThatTrustsTheCaByAddressAndByName) {
  emulator::embedded_emulator server{serving(pki().valid)};
  EXPECT_EQ(server.url().rfind("https://127.0.0.1:", 0), 0u) << server.url();
  EXPECT_EQ(auth::parse_connection_string(server.connection_string()).endpoint.scheme, "https");
  EXPECT_EQ(created(stats_of(server, pki().ca)), 0);

  boost::asio::io_context io;
  http::client client{io.get_executor(), {.ca_file = pki().ca.string()}};
  http::request req;
  req.method = "GET";
  req.target = "/emulator/stats";
  // The certificate names localhost too.
  const auto by_name = run_to_completion(io, client.send({"https", "localhost", server.port()}, req, 5s));
  ASSERT_TRUE(by_name) << by_name.error().message();
  EXPECT_EQ(by_name->status, 200u);
}

TEST_F(EmulatorTls, PlainHttpToTheHttpsPortGetsNoAnswer) {
  emulator::embedded_emulator server{serving(pki().valid)};
  boost::asio::io_context io;
  http::client client{io.get_executor()};
  http::request req;
  req.method = "GET";
  req.target = "/emulator/stats";
  const auto response = run_to_completion(io, client.send({"http", "127.0.0.1", server.port()}, req, 5s));
  ASSERT_FALSE(response);
  EXPECT_NE(response.error(), errc::timeout) << "the handshake failure must close the connection at once";
  // The server still serves TLS clients afterwards.
  EXPECT_EQ(created(stats_of(server, pki().ca)), 0);
}

TEST_F(EmulatorTls, QuickstartSucceedsWithTheCaFromConnectionCaFile) {
  emulator::embedded_emulator server{serving(pki().valid)};
  const auto result = run_quickstart(server, work.path(), {"connection.ca_file=" + pki().ca.string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("against https://127.0.0.1:"));
  EXPECT_THAT(result.err, Not(HasSubstr("tls_verify")));
  EXPECT_EQ(created(stats_of(server, pki().ca)), 1);
}

TEST_F(EmulatorTls, ACaFileWrittenInTheJobIsRelativeToTheJobFile) {
  emulator::embedded_emulator server{serving(pki().valid)};
  fs::create_directories(work.path() / "jobs" / "certs");
  fs::copy_file(pki().ca, work.path() / "jobs" / "certs" / "ca.pem");
  std::ofstream(work.path() / "jobs" / "tls.yaml")
      << "version: 1\nname: tls\nconnection:\n  connection_string: ${" << connection_env
      << "}\n  ca_file: certs/ca.pem\nusers: { create: 1 }\nsteps: [create_user, delete_user]\n";
  const auto result = run_process({binary, "run", "jobs/tls.yaml"}, work.path(),
                                  {{connection_env, server.connection_string()}});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST_F(EmulatorTls, WithoutTheCaTheRunStopsExit69NamingTheUntrustedCertificate) {
  emulator::embedded_emulator server{serving(pki().valid)};
  const auto result = run_quickstart(server, work.path(), {});
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("TLS handshake failed: the server's certificate is not signed by a trusted CA"));
  EXPECT_THAT(result.err, HasSubstr("connection.ca_file"));
  EXPECT_EQ(created(stats_of(server, pki().ca)), 0);
}

TEST_F(EmulatorTls, ACertificateFromAnotherCaIsRefusedExit69) {
  emulator::embedded_emulator server{serving(pki().other_ca_signed)};
  const auto result = run_quickstart(server, work.path(), {"connection.ca_file=" + pki().ca.string()});
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("is not signed by a trusted CA"));
}

TEST_F(EmulatorTls, AnExpiredCertificateIsRefusedExit69SayingSo) {
  emulator::embedded_emulator server{serving(pki().expired)};
  const auto result = run_quickstart(server, work.path(), {"connection.ca_file=" + pki().ca.string()});
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("TLS handshake failed: the server's certificate has expired"));
  EXPECT_THAT(result.err, Not(HasSubstr("check the connection string")));
  EXPECT_EQ(created(stats_of(server, pki().ca, false)), 0) << "nothing may be sent over a refused connection";
}

TEST_F(EmulatorTls, ACertificateForAnotherHostIsRefusedExit69SayingSo) {
  emulator::embedded_emulator server{serving(pki().misnamed)};
  const auto result = run_quickstart(server, work.path(), {"connection.ca_file=" + pki().ca.string()});
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("TLS handshake failed: the server's certificate does not name the host"));
}

TEST_F(EmulatorTls, TlsVerifyFalseConnectsAnywayAndWarnsEveryRun) {
  emulator::embedded_emulator server{serving(pki().expired)};
  for (int run = 0; run < 2; ++run) {
    const auto result = run_quickstart(server, work.path(), {"connection.tls_verify=false"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_THAT(result.err, HasSubstr("connection.tls_verify is false: the server's TLS certificate and host name "
                                      "are NOT checked"));
  }
  EXPECT_EQ(created(stats_of(server, pki().ca, false)), 2);
}

TEST_F(EmulatorTls, AnUnreadableCaFileIsAnInvalidJobExit65) {
  emulator::embedded_emulator server{serving(pki().valid)};
  const auto missing = (work.path() / "absent.pem").string();
  const auto result = run_quickstart(server, work.path(), {"connection.ca_file=" + missing});
  EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("connection.ca_file: cannot load CA file '" + missing + "'"));
}

TEST_F(EmulatorTls, EmulatorCommandPrintsAnHttpsEndpointFirst) {
  const auto script = "'" + binary + "' emulator --tls-cert '" + pki().valid.string() + "' --tls-key '" +
                      pki().key.string() + "' & pid=$!; sleep 1; kill -TERM $pid; wait $pid";
  const auto result = run_process({"/bin/sh", "-c", script}, work.path(), {}, 30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto first_line = result.out.substr(0, result.out.find('\n'));
  EXPECT_EQ(first_line.rfind("endpoint=https://127.0.0.1:", 0), 0u) << first_line;
  EXPECT_THAT(result.err, HasSubstr("serving the ACS Identity API at https://127.0.0.1:"));
}

TEST_F(EmulatorTls, EmulatorCommandRefusesHalfAPairOrABadFile) {
  const auto half = run_process({binary, "emulator", "--tls-cert", pki().valid.string()}, work.path());
  EXPECT_EQ(half.exit_code, 64) << half.err;
  EXPECT_THAT(half.err, HasSubstr("--tls-cert and --tls-key go together"));

  const auto not_pem = work.path() / "not.pem";
  std::ofstream(not_pem) << "not a certificate\n";
  const auto bad = run_process({binary, "emulator", "--tls-cert", not_pem.string(), "--tls-key", pki().key.string()},
                               work.path());
  EXPECT_EQ(bad.exit_code, 65) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("cannot use the TLS certificate " + not_pem.string()));
  EXPECT_TRUE(bad.out.empty()) << bad.out;

  const auto wrong_key = run_process(
      {binary, "emulator", "--tls-cert", pki().valid.string(), "--tls-key", (pki().ca.parent_path() / "ca.key").string()},
      work.path());
  EXPECT_EQ(wrong_key.exit_code, 65) << wrong_key.err;
  EXPECT_THAT(wrong_key.err, HasSubstr("is not the key of the certificate"));
}

}  // namespace
}  // namespace acsbatch::testing
