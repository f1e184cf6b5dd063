// keydir serve, register, lookup, revoke, spc import and import, run as an
// operator and an authentication service would: separate processes talking
// HTTP on 127.0.0.1.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "directory/store/sqlite.h"
#include "tests/support/keydir_cli.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/directory_cli_fixture.h"

namespace keydir {
namespace {

using testing::CommandRun;
using testing::DirectoryCli;
using testing::keydir;
using testing::keydirJson;
using testing::readText;
using testing::runCommand;
using testing::ServeProcess;
using testing::TempDir;

TEST_F(DirectoryCli, RegisterLookUpAndRevokeAgainstARunningServer) {
  auto server = serve();
  std::string cred = credential("acme", "acme-key");
  nlohmann::json record =
      keydirJson("register --server " + server->url() + " --credential " + cred);
  std::string id = record["id"];
  EXPECT_EQ(keydirJson("register --server " + server->url() + " --credential " + cred)["id"], id);

  std::string lookup = "lookup 12025550150 --server " + server->url() + " --trust " + trust_ +
                       " --spc-map " + (dir_ / "map.csv").string();
  nlohmann::json found = keydirJson(lookup);
  ASSERT_EQ(found["keys"].size(), 1u);
  EXPECT_EQ(found["keys"][0]["id"], id);
  EXPECT_TRUE(found["rejected"].empty());

  nlohmann::json revoked = keydirJson("revoke " + id + " --server " + server->url() + " --cert " +
                                      pki_ + "/carrier.chain.pem --key " + pki_ + "/carrier.key");
  EXPECT_EQ(revoked["status"], "revoked");
  EXPECT_TRUE(keydirJson(lookup)["keys"].empty());
  EXPECT_EQ(server->stop(), 0);
}

TEST_F(DirectoryCli, LookupReportsRecordsItCannotVerify) {
  auto server = serve();
  keydirJson("register --server " + server->url() + " --credential " + credential("acme", "k"));
  // Another operator's anchors: the directory's records do not verify against them.
  keydirJson("pki init " + (dir_ / "other").string());
  nlohmann::json found = keydirJson("lookup 12025550150 --server " + server->url() + " --trust " +
                                        (dir_ / "other" / "trust.pem").string(),
                                    1);
  EXPECT_TRUE(found["keys"].empty());
  ASSERT_EQ(found["rejected"].size(), 1u);
  EXPECT_EQ(found["rejected"][0]["problem"], "untrusted-chain");
}

TEST_F(DirectoryCli, RefusalsCarryTheProblemTypeAndExitOne) {
  auto server = serve();
  keydirJson("pki issue " + pki_ +
             " --name plain --type enterprise --tn 14155550123 "
             "--no-delegation-usage");
  CommandRun refused = keydir("register --server " + server->url() + " --credential " +
                              credential("plain", "plain-key"));
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("keydir: not-authorized: "), std::string::npos) << refused.output;
  CommandRun bad_tn = keydir("lookup 12x --server " + server->url() + " --trust " + trust_);
  EXPECT_EQ(bad_tn.status, 1);
  EXPECT_NE(bad_tn.output.find("invalid-tn"), std::string::npos);
  CommandRun nobody = keydir("lookup 1202 --server http://127.0.0.1:1 --trust " + trust_);
  EXPECT_EQ(nobody.status, 1);
  EXPECT_NE(nobody.output.find("unavailable"), std::string::npos);
}

TEST_F(DirectoryCli, SpcImportLoadsAllOrNothing) {
  testing::writeText(dir_ / "bad.csv", "1-13125550000-100,5678\n0-1234,9\n");
  CommandRun bad = keydir("spc import " + (dir_ / "bad.csv").string() + " --db " + db_);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("line 2"), std::string::npos) << bad.output;
  nlohmann::json good = keydirJson("spc import " + (dir_ / "map.csv").string() + " --db " + db_);
  EXPECT_EQ(good["imported"], 1);
  auto server = serve();
  std::string output;
  runCommand("curl -s " + server->url() + "/v1/meta", &output);
  EXPECT_EQ(nlohmann::json::parse(output)["spc_map_entries"], 1);  // bad.csv added nothing
}

TEST_F(DirectoryCli, SpcImportWithReplaceRemovesWhatTheFileLacksAndFeedsTheRemoval) {
  testing::writeText(dir_ / "two.csv", "1-13125550000-100,5678\n2-14155550100,9999\n");
  keydirJson("spc import " + (dir_ / "two.csv").string() + " --db " + db_);
  testing::writeText(dir_ / "one.csv", "2-14155550100,9999\n");
  keydirJson("spc import " + (dir_ / "one.csv").string() + " --db " + db_ + " --replace");
  auto server = serve();
  std::string output;
  runCommand("curl -s " + server->url() + "/v1/meta", &output);
  // one.csv's entry, and the fixture's map.csv that serve() imports.
  EXPECT_EQ(nlohmann::json::parse(output)["spc_map_entries"], 2);
  std::string page;
  runCommand("curl -s '" + server->url() + "/v1/changes?since=0'", &page);
  auto changes = nlohmann::json::parse(page)["changes"];
  auto removal = std::find_if(changes.begin(), changes.end(), [](const nlohmann::json& change) {
    return change["op"] == "remove" && change["id"] == "1-13125550000-100";
  });
  EXPECT_NE(removal, changes.end()) << page;
}

TEST_F(DirectoryCli, ImportVerifiesEachLineLikeTheApi) {
  std::string good = readText(credential("acme", "a") + "/credential.json");
  std::string other = readText(credential("acme", "b") + "/credential.json");
  nlohmann::json tampered = nlohmann::json::parse(other);
  std::string dc = tampered["dc"];
  dc[dc.size() - 5] = dc[dc.size() - 5] == 'A' ? 'B' : 'A';
  tampered["dc"] = dc;
  std::ofstream(dir_ / "keys.ndjson") << nlohmann::json::parse(good).dump() << "\n"
                                      << "not json\n"
                                      << tampered.dump() << "\n"
                                      << nlohmann::json::parse(good).dump() << "\n";
  keydirJson("spc import " + (dir_ / "map.csv").string() + " --db " + db_);
  CommandRun run = keydir("import " + (dir_ / "keys.ndjson").string() + " --db " + db_ +
                          " --trust " + trust_ + " 2>&1");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("line 2: malformed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("line 3: bad-signature"), std::string::npos) << run.output;
  nlohmann::json counts = nlohmann::json::parse(run.output.substr(run.output.find('{')));
  EXPECT_EQ(counts["imported"], 1);
  EXPECT_EQ(counts["already_present"], 1);
  EXPECT_EQ(counts["refused"], 2);
}

TEST_F(DirectoryCli, PrintConfigShowsEverySettingResolved) {
  testing::writeText(dir_ / "config.json",
                     R"({"max_keys_per_signer_scope": 2, "listen": "0.0.0.0:9"})");
  nlohmann::json config = keydirJson("serve --config " + (dir_ / "config.json").string() +
                                     " --listen 127.0.0.1:7000 --set write-burst=7 --print-config");
  EXPECT_EQ(config["max_keys_per_signer_scope"], 2);  // from the file
  EXPECT_EQ(config["listen"], "127.0.0.1:7000");      // the flag wins over the file
  EXPECT_EQ(config["write_burst"], 7.0);              // --set
  EXPECT_EQ(config["max_body_bytes"], 65536);         // default
  EXPECT_EQ(config["public_url"], "http://127.0.0.1:7000");
  CommandRun unknown = keydir("serve --set colour=blue --print-config");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.output.find("unknown setting 'colour'"), std::string::npos);
  CommandRun no_trust = keydir("serve --db " + db_);
  EXPECT_EQ(no_trust.status, 1);
  EXPECT_NE(no_trust.output.find("nothing is trusted by default"), std::string::npos);
}

TEST_F(DirectoryCli, WithdrawTakesAKeyOutOfLookupsAndIntoTheFeedWithItsReason) {
  std::string good = readText(credential("acme", "w") + "/credential.json");
  std::ofstream(dir_ / "keys.ndjson") << nlohmann::json::parse(good).dump() << "\n";
  keydirJson("spc import " + (dir_ / "map.csv").string() + " --db " + db_);
  keydir("import " + (dir_ / "keys.ndjson").string() + " --db " + db_ + " --trust " + trust_);
  auto db = SqliteDatabase::open(db_).value();
  auto select = db->prepare("SELECT id FROM keys").value();
  ASSERT_TRUE(select.step().value());
  std::string id = select.text(0);
  select.reset();
  nlohmann::json done =
      keydirJson("withdraw " + id + " --db " + db_ + " --reason 'key compromised, CRL pending'");
  EXPECT_EQ(done["withdrawn"], id);
  auto feed =
      db->prepare("SELECT reason, detail FROM feed WHERE op = 'remove' AND id = ?1").value();
  ASSERT_TRUE(feed.bind(1, id).step().value());
  EXPECT_EQ(feed.text(0), "withdrawn");
  EXPECT_EQ(feed.text(1), "key compromised, CRL pending");
  feed.reset();
  CommandRun again = keydir("withdraw " + id + " --db " + db_ + " --reason again 2>&1");
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("not-found"), std::string::npos) << again.output;
  CommandRun usage = keydir("withdraw " + id + " --db " + db_ + " 2>&1");
  EXPECT_EQ(usage.status, 2);
}

TEST_F(DirectoryCli, BackupCopiesARunningDirectoryAndTheCopyServes) {
  auto server = serve();
  std::string id = keydirJson("register --server " + server->url() + " --credential " +
                              credential("acme", "acme-key"))["id"];
  std::string copy = (dir_ / "copy.db").string();
  nlohmann::json report = keydirJson("backup --db " + db_ + " --out " + copy);
  EXPECT_EQ(report["integrity"], "ok");
  EXPECT_GT(report["bytes"].get<std::int64_t>(), 0);
  CommandRun again = keydir("backup --db " + db_ + " --out " + copy);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("never overwrites"), std::string::npos) << again.output;
  EXPECT_EQ(server->stop(), 0);

  // The copy is a whole directory: served, it answers with the key.
  db_ = copy;
  auto restored = serve();
  nlohmann::json found = keydirJson("lookup 12025550150 --server " + restored->url() + " --trust " +
                                    trust_ + " --spc-map " + (dir_ / "map.csv").string());
  ASSERT_EQ(found["keys"].size(), 1u);
  EXPECT_EQ(found["keys"][0]["id"], id);
  EXPECT_EQ(restored->stop(), 0);
}

}  // namespace
}  // namespace keydir
