#include "directory/feed_format.h"

#include <algorithm>

#include "certs/json_fields.h"

namespace keydir {
namespace {

std::string jsonString(std::string_view text) { return nlohmann::json(text).dump(); }

bool isKind(const std::string& kind) { return kind == "key" || kind == "ad" || kind == "spc"; }

}  // namespace

std::string snapshotBeginLine(std::int64_t seq) {
  return "{\"kind\":\"begin\",\"seq\":" + std::to_string(seq) + "}\n";
}

std::string snapshotRecordLine(const SnapshotRecord& record) {
  // The bodies are stored JSON already: join them rather than re-encode.
  return "{\"kind\":" + jsonString(record.kind) + ",\"id\":" + jsonString(record.id) +
         ",\"body\":" + record.body + "}\n";
}

std::string snapshotEndLine(const SnapshotEnd& end) {
  return "{\"kind\":\"end\",\"seq\":" + std::to_string(end.seq) +
         ",\"count\":" + std::to_string(end.count) + ",\"digest\":" + jsonString(end.digest) +
         "}\n";
}

std::string changePageJson(const FeedPage& page) {
  std::string out = "{\"since\":" + std::to_string(page.since) +
                    ",\"to\":" + std::to_string(page.to) +
                    ",\"more\":" + (page.more ? "true" : "false") +
                    ",\"digest\":" + jsonString(page.digest) + ",\"changes\":[";
  for (std::size_t i = 0; i < page.changes.size(); ++i) {
    const FeedChange& change = page.changes[i];
    if (i) out += ',';
    out += "{\"seq\":" + std::to_string(change.seq) + ",\"op\":" + jsonString(change.op) +
           ",\"kind\":" + jsonString(change.kind) + ",\"id\":" + jsonString(change.id);
    if (change.op == "put") {
      out += ",\"body\":" + change.body;
    } else {
      out += ",\"reason\":" + jsonString(change.reason);
      if (change.reason == "revoked") out += ",\"proof\":" + jsonString(change.detail);
      if (change.reason == "replaced") out += ",\"by\":" + jsonString(change.detail);
      if (change.reason == "withdrawn" && !change.detail.empty()) {
        out += ",\"note\":" + jsonString(change.detail);
      }
    }
    out += '}';
  }
  return out + "]}";
}

namespace {

constexpr std::string_view kBucketEnd = "\"}";

// The dots padding is made of, shared by every answer.
std::string_view dotBlock() {
  static const std::string block(64 * 1024, '.');
  return block;
}

}  // namespace

std::size_t BucketJson::size() const { return records.size() + dots + kBucketEnd.size(); }

std::vector<BodyPiece> BucketJson::pieces() const {
  const std::string_view block = dotBlock();
  std::vector<BodyPiece> out;
  out.reserve(3 + dots / block.size());
  out.push_back({records});
  for (std::size_t left = dots; left > 0;) {
    const std::size_t take = std::min(left, block.size());
    out.push_back({block.substr(0, take), true});
    left -= take;
  }
  out.push_back({kBucketEnd, true});
  return out;
}

std::string BucketJson::whole() const {
  std::string out;
  out.reserve(size());
  for (const BodyPiece& piece : pieces()) out += piece.bytes;
  return out;
}

BucketJson bucketJson(const std::string& bucket_hex, const BucketContents& contents,
                      std::size_t pad_bytes) {
  const std::string head =
      "{\"bucket\":\"" + bucket_hex + "\",\"seq\":" + std::to_string(contents.seq) + ",\"keys\":[";
  constexpr std::string_view kAds = "],\"ads\":[", kSpc = "],\"spc\":[", kPad = "],\"pad\":\"";
  std::size_t size = head.size() + kAds.size() + kSpc.size() + kPad.size();
  for (const auto* items : {&contents.keys, &contents.ads, &contents.spc}) {
    for (const auto& item : *items) size += item.size() + 1;
    if (!items->empty()) --size;
  }
  BucketJson out;
  out.records.reserve(size);
  out.records += head;
  auto append = [&](const std::vector<std::string>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out.records += ',';
      out.records += items[i];
    }
  };
  append(contents.keys);
  out.records += kAds;
  append(contents.ads);
  out.records += kSpc;
  append(contents.spc);
  out.records += kPad;
  const std::size_t unpadded = size + kBucketEnd.size();
  if (pad_bytes > 0) out.dots = (unpadded + pad_bytes - 1) / pad_bytes * pad_bytes - unpadded;
  return out;
}

Result<ParsedChange> parseChange(const nlohmann::json& change) {
  if (!change.is_object() || !change.contains("seq") || !change["seq"].is_number_integer() ||
      !change.contains("op") || !change["op"].is_string() || !change.contains("kind") ||
      !change["kind"].is_string() || !change.contains("id") || !change["id"].is_string()) {
    return fail(ErrorCode::kMalformed, "a change needs \"seq\", \"op\", \"kind\" and \"id\"");
  }
  ParsedChange parsed;
  parsed.seq = change["seq"].get<std::int64_t>();
  parsed.op = change["op"].get<std::string>();
  parsed.kind = change["kind"].get<std::string>();
  parsed.id = change["id"].get<std::string>();
  std::string at = "change " + std::to_string(parsed.seq);
  if (!isKind(parsed.kind)) {
    return fail(ErrorCode::kMalformed, at + ": unknown kind '" + parsed.kind + "'");
  }
  if (parsed.op == "put") {
    if (!change.contains("body") || !change["body"].is_object()) {
      return fail(ErrorCode::kMalformed, at + ": a put needs an object \"body\"");
    }
    parsed.body = change["body"];
    return parsed;
  }
  if (parsed.op != "remove") return fail(ErrorCode::kMalformed, at + ": unknown op");
  parsed.reason = textField(change, "reason");
  parsed.proof = textField(change, "proof");
  parsed.by = textField(change, "by");
  if (parsed.reason != "revoked" && parsed.reason != "expired" && parsed.reason != "replaced" &&
      parsed.reason != "withdrawn") {
    return fail(ErrorCode::kMalformed, at + ": unknown removal reason '" + parsed.reason + "'");
  }
  return parsed;
}

Result<ParsedPage> parseChangePage(std::string_view text) {
  nlohmann::json page = nlohmann::json::parse(text, nullptr, false);
  if (!page.is_object() || !page.contains("since") || !page["since"].is_number_integer() ||
      !page.contains("to") || !page["to"].is_number_integer() || !page.contains("more") ||
      !page["more"].is_boolean() || !page.contains("digest") || !page["digest"].is_string() ||
      !page.contains("changes") || !page["changes"].is_array()) {
    return fail(ErrorCode::kMalformed,
                "a changes page needs \"since\", \"to\", \"more\", \"digest\" and \"changes\"");
  }
  ParsedPage parsed{page["since"].get<std::int64_t>(),
                    page["to"].get<std::int64_t>(),
                    page["more"].get<bool>(),
                    page["digest"].get<std::string>(),
                    {}};
  for (const auto& change : page["changes"]) {
    auto one = parseChange(change);
    if (!one) return std::unexpected(one.error());
    parsed.changes.push_back(std::move(*one));
  }
  return parsed;
}

}  // namespace keydir
