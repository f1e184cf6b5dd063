#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "directory/bulk_import.h"
#include "directory/directory_config.h"
#include "directory/key_registry.h"
#include "directory/server/directory_server.h"
#include "directory/store/sql_key_store.h"
#include "tools/keydir/command.h"
#include "tools/keydir/directory_config_options.h"
#include "tools/keydir/options.h"

namespace keydir::tool {
namespace {

constexpr std::size_t kErrorsShown = 20;

}  // namespace

int runImport(const std::vector<std::string_view>& args) {
  Options options(
      "keydir import FILE --db DB --trust PEM [--config FILE] [--set NAME=VALUE]...",
      "Seeds or restores a directory from NDJSON: one {\"dc\":..,\"x5c\":[..]} per line,\n"
      "each verified exactly as POST /v1/keys verifies it, with the same settings as\n"
      "'keydir serve' (--config, --set). Good lines are stored even when others are\n"
      "refused; refused lines are listed on stderr by number. Prints counts as JSON;\n"
      "exits 1 if any line was refused.");
  options.positionals(1)
      .value("db", "the directory's SQLite file, or its postgresql:// URI")
      .value("trust", "PEM bundle of STI-CA roots")
      .value("config", "JSON file of settings")
      .value("set", "NAME=VALUE for any setting", true);
  if (auto exit = options.parse(args)) return *exit;
  auto resolved = resolveDirectoryConfig(options, {"db", "trust"});
  if (!resolved) return reportError(resolved.error());
  const DirectoryConfig& config = *resolved;
  if (auto ok = config.validate(); !ok) return reportError(ok.error());

  std::ifstream in(options.positional()[0]);
  if (!in) return reportError({ErrorCode::kNotFound, "cannot read " + options.positional()[0]});
  auto trust = TrustStore::load(config.trust, {config.crls.begin(), config.crls.end()});
  if (!trust) return reportError(trust.error());
  auto store = openDirectoryStore(config, poolOptionsFromConfig(config));
  if (!store) return reportError(store.error());
  KeyRegistry registry(**store, *trust, keyPolicyFromConfig(config));
  // The batches are stored on this thread, through one connection.
  ConnectionPool::Pin writer((*store)->pool());
  BulkCopyWriting bulk(*writer, config.bulk_copy_cache_mib);

  std::size_t shown = 0;
  ImportOptions import_options;
  import_options.on_refused = [&](std::size_t line, const Error& error) {
    if (++shown <= kErrorsShown) {
      std::cerr << "keydir: import: line " << line << ": " << errorTypeName(error.code) << ": "
                << error.message << "\n";
    }
  };
  import_options.on_progress = [](const ImportCounts& counts) {
    std::cerr << "keydir: import: " << counts.lines << " lines, " << counts.imported
              << " imported\n";
  };
  SystemClock clock;
  auto counts = importKeys(in, registry, clock, import_options);
  if (!counts) return reportError(counts.error());
  if (counts->refused > kErrorsShown) {
    std::cerr << "keydir: import: " << counts->refused - kErrorsShown << " more lines refused\n";
  }
  printJson(nlohmann::json{{"lines", counts->lines},
                           {"imported", counts->imported},
                           {"already_present", counts->already_present},
                           {"refused", counts->refused}}
                .dump(2));
  return counts->refused == 0 ? kExitOk : kExitRefused;
}

}  // namespace keydir::tool
