#include "directory/bucket_answer.h"

#include "certs/json_fields.h"
#include "directory/store/feed_hashes.h"

namespace keydir {
namespace {

bool narrowIn(const std::vector<TnScope>& scopes, const BucketShape& shape) {
  return !isWide(scopes, shape.wide_threshold) &&
         bucketsTouched(scopes, shape.bits).contains(shape.bucket);
}

const nlohmann::json& itemsOf(const nlohmann::json& body, const char* name) {
  static const nlohmann::json none = nlohmann::json::array();
  auto member = body.find(name);
  return member != body.end() && member->is_array() ? *member : none;
}

}  // namespace

Result<BucketAnswer> readBucketAnswer(std::string_view text, const BucketShape& shape,
                                      const TrustStore& trust, Instant now, const SpcMap& spc_map) {
  const std::string hex = bucketHex(shape.bucket, shape.bits);
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_object() || textField(body, "bucket") != hex || !body.contains("seq") ||
      !body["seq"].is_number_integer()) {
    return fail(ErrorCode::kMalformed,
                "the answer for bucket " + hex + " does not name it with its \"seq\"");
  }
  BucketAnswer answer;
  answer.seq = body["seq"].get<std::int64_t>();
  auto refuse = [&](const char* kind, const std::string& id, const Error& error) {
    answer.refused.push_back({kind, id, refusalReason(error), error.message});
  };
  auto outsideRefusal = [&](const char* kind, const std::string& id) {
    answer.refused.push_back({kind, id, "not-in-bucket", "its numbers are not in this bucket"});
  };

  for (const auto& record : itemsOf(body, "keys")) {
    std::string id = record.is_object() ? textField(record, "id") : "";
    auto key = verifiedFeedKey(id, record, trust, now, spc_map);
    if (!key) {
      refuse("key", id, key.error());
    } else if (!narrowIn(key->scopes, shape)) {
      outsideRefusal("key", id);
    } else {
      answer.keys.push_back(std::move(*key));
    }
  }
  for (const auto& item : itemsOf(body, "ads")) {
    std::string id = item.is_object() ? textField(item, "id") : "";
    auto ad = verifiedFeedAd(id, item, trust, now, spc_map);
    if (!ad) {
      refuse("ad", id, ad.error());
      continue;
    }
    std::vector<TnScope> scopes;
    for (const auto& entry : ad->entries) scopes.push_back(entry.scope);
    if (!narrowIn(scopes, shape)) {
      outsideRefusal("ad", id);
    } else {
      answer.ads.push_back(std::move(*ad));
    }
  }
  for (const auto& item : itemsOf(body, "spc")) {
    std::string id = item.is_object() ? textField(item, "scope") : "";
    auto entry = parsedFeedSpcEntry(id, item);
    if (!entry) {
      refuse("spc", id, entry.error());
    } else if (!narrowIn({entry->scope}, shape)) {
      outsideRefusal("spc", id);
    } else {
      answer.spc.push_back({id, std::move(*entry)});
    }
  }
  return answer;
}

}  // namespace keydir
