// The Kubernetes manifests of scripts/k8s/ without a cluster: each document parses, the kinds are
// the expected ones, the Indexed Job runs one shard per index with the job file of the ConfigMap
// and the connection string of the Secret, that job file is a valid acsbatch job, and no secret
// value is written in them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>

#include "support.hpp"

namespace acsbatch::testing {
namespace {

const std::string binary = ACSBATCH_BINARY;
const std::filesystem::path k8s_dir = std::filesystem::path(ACSBATCH_SOURCE_DIR) / "scripts" / "k8s";

struct manifest {
  std::filesystem::path file;
  YAML::Node node;
};

/// Every document of every .yaml file below scripts/k8s/ (kubectl apply -f takes them all).
std::vector<manifest> load_manifests() {
  std::vector<manifest> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(k8s_dir)) {
    if (entry.path().extension() != ".yaml") continue;
    for (const auto& doc : YAML::LoadAllFromFile(entry.path().string()))
      if (doc && !doc.IsNull()) out.push_back({entry.path(), doc});
  }
  return out;
}

const manifest& the_one(const std::vector<manifest>& all, const std::string& kind, bool indexed = false) {
  const manifest* found = nullptr;
  for (const auto& m : all) {
    if (m.node["kind"].as<std::string>() != kind) continue;
    if (indexed && m.node["spec"]["completionMode"].as<std::string>("") != "Indexed") continue;
    EXPECT_EQ(found, nullptr) << "more than one " << kind;
    found = &m;
  }
  if (!found) throw std::runtime_error("no " + kind + " in scripts/k8s");
  return *found;
}

YAML::Node find_named(const YAML::Node& list, const std::string& name) {
  for (const auto& item : list)
    if (item["name"].as<std::string>() == name) return item;
  return YAML::Node(YAML::NodeType::Undefined);
}

TEST(Kubernetes, EveryDocumentParsesAndIsAKnownKind) {
  std::vector<manifest> all;
  ASSERT_NO_THROW(all = load_manifests());
  ASSERT_GE(all.size(), 4u);
  const std::set<std::string> known{"Job", "ConfigMap", "Secret", "PersistentVolumeClaim"};
  for (const auto& m : all) {
    ASSERT_TRUE(m.node.IsMap()) << m.file;
    EXPECT_TRUE(known.contains(m.node["kind"].as<std::string>(""))) << m.file;
    EXPECT_FALSE(m.node["apiVersion"].as<std::string>("").empty()) << m.file;
    EXPECT_FALSE(m.node["metadata"]["name"].as<std::string>("").empty()) << m.file;
  }
}

TEST(Kubernetes, TheIndexedJobRunsOneShardPerIndexWithResume) {
  const auto all = load_manifests();
  const YAML::Node job = the_one(all, "Job", true).node;
  const YAML::Node spec = job["spec"];
  EXPECT_EQ(spec["completionMode"].as<std::string>(), "Indexed");
  ASSERT_TRUE(spec["backoffLimitPerIndex"]) << "a failing shard must not use up the others' retries";
  EXPECT_GE(spec["backoffLimitPerIndex"].as<int>(), 1);
  const int completions = spec["completions"].as<int>();
  EXPECT_GE(completions, 2);
  EXPECT_LE(spec["parallelism"].as<int>(), completions);
  // backoffLimitPerIndex and podFailurePolicy need it; it also keeps one pod per journal.
  EXPECT_EQ(spec["template"]["spec"]["restartPolicy"].as<std::string>(), "Never");
  EXPECT_EQ(spec["podReplacementPolicy"].as<std::string>(""), "Failed");

  const YAML::Node pod = spec["template"]["spec"];
  ASSERT_EQ(pod["containers"].size(), 1u);
  const YAML::Node container = pod["containers"][0];
  std::vector<std::string> command = container["command"].as<std::vector<std::string>>();
  for (const auto& arg : container["args"].as<std::vector<std::string>>(std::vector<std::string>{})) command.push_back(arg);
  ASSERT_GE(command.size(), 3u);
  EXPECT_EQ(command[0], "acsbatch");
  EXPECT_EQ(command[1], "run");
  EXPECT_THAT(command, ::testing::Contains("--resume"));
  const auto shard = std::find(command.begin(), command.end(), "--shard");
  ASSERT_NE(shard, command.end());
  ASSERT_NE(shard + 1, command.end());
  // The index from Kubernetes, the count equal to completions: every item in exactly one shard.
  EXPECT_EQ(*(shard + 1), "$(JOB_COMPLETION_INDEX)/" + std::to_string(completions));

  // The pod runs as a non-root user, with the journal's volume as its working directory.
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>(false));
  EXPECT_NE(pod["securityContext"]["runAsUser"].as<int>(0), 0);
  const YAML::Node data_mount = [&]() -> YAML::Node {
    for (const auto& mount : container["volumeMounts"])
      if (mount["mountPath"].as<std::string>() == container["workingDir"].as<std::string>("")) return mount;
    return YAML::Node(YAML::NodeType::Undefined);
  }();
  ASSERT_TRUE(data_mount) << "workingDir must be a mounted volume: the journals and reports go there";
  EXPECT_FALSE(data_mount["readOnly"].as<bool>(false));
  EXPECT_TRUE(find_named(pod["volumes"], data_mount["name"].as<std::string>()));
}

TEST(Kubernetes, TheJobMountsTheConfigMapsJobFileAndTakesTheSecretFromTheSecret) {
  const auto all = load_manifests();
  const YAML::Node job = the_one(all, "Job", true).node;
  const YAML::Node config_map = the_one(all, "ConfigMap").node;
  const YAML::Node secret = the_one(all, "Secret").node;
  const YAML::Node pod = job["spec"]["template"]["spec"];
  const YAML::Node container = pod["containers"][0];

  // The job file named on the command line is the ConfigMap's key, where its volume is mounted.
  const std::string job_path = container["args"][1].as<std::string>();
  std::string mounted_file;
  for (const auto& mount : container["volumeMounts"]) {
    const YAML::Node volume = find_named(pod["volumes"], mount["name"].as<std::string>());
    if (!volume || !volume["configMap"]) continue;
    EXPECT_EQ(volume["configMap"]["name"].as<std::string>(), config_map["metadata"]["name"].as<std::string>());
    const std::string dir = mount["mountPath"].as<std::string>();
    ASSERT_EQ(job_path.rfind(dir + "/", 0), 0u) << job_path << " is not under " << dir;
    mounted_file = job_path.substr(dir.size() + 1);
  }
  ASSERT_FALSE(mounted_file.empty()) << "no ConfigMap volume holds " << job_path;
  EXPECT_TRUE(config_map["data"][mounted_file]) << mounted_file << " is not a key of the ConfigMap";

  // The connection string comes from the Secret (never a literal value in the Job).
  const YAML::Node env = find_named(container["env"], "COMMUNICATION_SERVICES_CONNECTION_STRING");
  ASSERT_TRUE(env);
  EXPECT_FALSE(env["value"]);
  const YAML::Node ref = env["valueFrom"]["secretKeyRef"];
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref["name"].as<std::string>(), secret["metadata"]["name"].as<std::string>());
  EXPECT_TRUE(secret["stringData"][ref["key"].as<std::string>()]) << "the Secret has no key " << ref["key"];
}

TEST(Kubernetes, TheConfigMapsJobFileIsAValidJobWithAJournal) {
  const auto all = load_manifests();
  const YAML::Node config_map = the_one(all, "ConfigMap").node;
  ASSERT_TRUE(config_map["data"]["job.yaml"]);
  const std::string text = config_map["data"]["job.yaml"].as<std::string>();
  temp_dir dir;
  std::ofstream(dir.path() / "job.yaml") << text;

  // As in the pod: the connection string from the environment (a well-formed stand-in here).
  const auto validated = run_process({binary, "validate", "job.yaml"}, dir.path(),
                                     {{"COMMUNICATION_SERVICES_CONNECTION_STRING",
                                       "endpoint=https://example.communication.azure.com/;accesskey=c2VjcmV0LWtleQ=="}});
  EXPECT_EQ(validated.exit_code, 0) << validated.out << validated.err;
  // Without it the job refuses to run (exit 65) instead of falling back to the embedded emulator.
  const auto without = run_process({binary, "validate", "job.yaml"}, dir.path(),
                                   {{"COMMUNICATION_SERVICES_CONNECTION_STRING", std::nullopt}});
  EXPECT_EQ(without.exit_code, 65) << without.out << without.err;

  // --resume needs the journal, and both it and the report must land on the volume (relative).
  const YAML::Node job = YAML::Load(text);
  ASSERT_TRUE(job["state"]["path"]);
  EXPECT_NE(job["state"]["path"].as<std::string>().front(), '/');
  ASSERT_TRUE(job["report"]["path"]);
  EXPECT_NE(job["report"]["path"].as<std::string>().front(), '/');
}

TEST(Kubernetes, NoSecretValueIsWrittenInTheManifests) {
  const auto all = load_manifests();
  const YAML::Node secret = the_one(all, "Secret").node;
  EXPECT_FALSE(secret["data"]) << "base64 data would be a real value: use stringData placeholders";
  ASSERT_TRUE(secret["stringData"]);
  const std::regex placeholder{R"(<[a-z-]+>)"};
  for (const auto& entry : secret["stringData"]) {
    const std::string value = entry.second.as<std::string>();
    EXPECT_TRUE(std::regex_search(value, placeholder)) << entry.first << " is not a placeholder";
    // The access key itself must be a placeholder, not something that looks like a key.
    const auto key = value.find("accesskey=");
    if (key != std::string::npos) {
      EXPECT_EQ(value.substr(key + 10).front(), '<') << entry.first;
    }
  }
  // Nothing else carries a connection string or an access key.
  for (const auto& m : all) {
    if (m.node["kind"].as<std::string>() == "Secret") continue;
    const std::string text = YAML::Dump(m.node);
    EXPECT_EQ(text.find("accesskey="), std::string::npos) << m.file;
    EXPECT_EQ(text.find("communication.azure.com"), std::string::npos) << m.file;
  }
}

}  // namespace
}  // namespace acsbatch::testing
