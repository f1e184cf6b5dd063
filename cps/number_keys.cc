#include "cps/number_keys.h"

#include <nlohmann/json.hpp>

namespace keydir {

NumberKeys::NumberKeys(std::unique_ptr<DirectoryClient> directory, const DummyMaker& dummies,
                       std::chrono::seconds keep, std::size_t max_numbers)
    : directory_(std::move(directory)), dummies_(dummies), keep_(keep), max_numbers_(max_numbers) {}

Result<std::vector<KeyShape>> NumberKeys::ask(const std::string& tn) {
  auto answer = directory_->call("GET", "/v1/tns/" + tn + "/keys");
  if (!answer) {
    return failWithContext(answer.error(), "the directory " + directory_->baseUrl() +
                                               " names no keys for the dummies");
  }
  auto lookup = nlohmann::json::parse(answer->body, nullptr, false);
  if (!lookup.is_object() || !lookup.contains("keys") || !lookup["keys"].is_array()) {
    return fail(ErrorCode::kUnavailable,
                "the directory " + directory_->baseUrl() + " answered a lookup without \"keys\"");
  }
  std::vector<KeyShape> shapes;
  for (const auto& record : lookup["keys"]) {
    if (!record.is_object() || !record.contains("id") || !record["id"].is_string()) continue;
    auto type = parseKeyTypeName(record.value("alg", std::string()));
    if (!type) continue;
    shapes.push_back({record["id"].get<std::string>(), *type});
  }
  return shapes;
}

Result<std::vector<KeyShape>> NumberKeys::of(const std::string& tn, Instant now) {
  if (!directory_) return std::vector<KeyShape>{dummies_.madeUpKey(tn)};
  std::optional<Known> kept;
  {
    std::lock_guard lock(mutex_);
    if (auto at = known_.find(tn); at != known_.end()) kept = at->second;
  }
  if (kept && now - kept->fetched < keep_) return kept->shapes;
  auto asked = ask(tn);
  if (!asked) {
    if (kept) return kept->shapes;  // stale beats a dummy of another shape
    return std::unexpected(asked.error());
  }
  if (asked->empty()) asked->push_back(dummies_.madeUpKey(tn));
  std::lock_guard lock(mutex_);
  if (known_.size() >= max_numbers_) known_.clear();
  known_[tn] = Known{*asked, now};
  return *asked;
}

}  // namespace keydir
