#include "directory/directory_config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <tuple>

#include "directory/store/postgres.h"

namespace keydir {
namespace {

template <class T>
Result<T> parseNumber(const std::string& name, const std::string& value) {
  T number{};
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || number < 0) {
    return fail(ErrorCode::kMalformed,
                "setting " + name + " wants a non-negative number, not '" + value + "'");
  }
  return number;
}

Result<bool> parseBool(const std::string& name, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return fail(ErrorCode::kMalformed,
              "setting " + name + " wants true or false, not '" + value + "'");
}

using Setter =
    std::function<Result<void>(DirectoryConfig&, const std::string&, const std::string&)>;

template <class T>
Setter number(T DirectoryConfig::*member) {
  return [member](DirectoryConfig& config, const std::string& name, const std::string& value) {
    auto parsed = parseNumber<T>(name, value);
    if (!parsed) return Result<void>(std::unexpected(parsed.error()));
    config.*member = *parsed;
    return Result<void>();
  };
}

Setter text(std::string DirectoryConfig::*member) {
  return [member](DirectoryConfig& config, const std::string&, const std::string& value) {
    config.*member = value;
    return Result<void>();
  };
}

Setter boolean(bool DirectoryConfig::*member) {
  return [member](DirectoryConfig& config, const std::string& name, const std::string& value) {
    auto parsed = parseBool(name, value);
    if (!parsed) return Result<void>(std::unexpected(parsed.error()));
    config.*member = *parsed;
    return Result<void>();
  };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"db", text(&DirectoryConfig::db)},
      {"db_connections", number(&DirectoryConfig::db_connections)},
      {"db_cache_mib", number(&DirectoryConfig::db_cache_mib)},
      {"bulk_copy_cache_mib", number(&DirectoryConfig::bulk_copy_cache_mib)},
      {"db_mmap_mib", number(&DirectoryConfig::db_mmap_mib)},
      {"peer_poll_ms", number(&DirectoryConfig::peer_poll_ms)},
      {"trust", text(&DirectoryConfig::trust)},
      {"crls",
       [](DirectoryConfig& config, const std::string&, const std::string& value) {
         config.crls.push_back(value);
         return Result<void>();
       }},
      {"listen", text(&DirectoryConfig::listen)},
      {"tls_cert", text(&DirectoryConfig::tls_cert)},
      {"tls_key", text(&DirectoryConfig::tls_key)},
      {"spc_map", text(&DirectoryConfig::spc_map)},
      {"provisioned_cps", text(&DirectoryConfig::provisioned_cps)},
      {"public_url", text(&DirectoryConfig::public_url)},
      {"access_log", text(&DirectoryConfig::access_log)},
      {"log_full_tn", boolean(&DirectoryConfig::log_full_tn)},
      {"max_body_bytes", number(&DirectoryConfig::max_body_bytes)},
      {"max_chain_length", number(&DirectoryConfig::max_chain_length)},
      {"max_keys_per_signer_scope", number(&DirectoryConfig::max_keys_per_signer_scope)},
      {"max_credential_validity_seconds",
       number(&DirectoryConfig::max_credential_validity_seconds)},
      {"require_delegation_usage", boolean(&DirectoryConfig::require_delegation_usage)},
      {"revocation_window_seconds", number(&DirectoryConfig::revocation_window_seconds)},
      {"max_advertisement_pairs", number(&DirectoryConfig::max_advertisement_pairs)},
      {"write_rate_per_second", number(&DirectoryConfig::write_rate_per_second)},
      {"write_burst", number(&DirectoryConfig::write_burst)},
      {"lookup_max_age_seconds", number(&DirectoryConfig::lookup_max_age_seconds)},
      {"lookup_answers_mib", number(&DirectoryConfig::lookup_answers_mib)},
      {"lookup_answers_file_mib", number(&DirectoryConfig::lookup_answers_file_mib)},
      {"lookup_answers_dir", text(&DirectoryConfig::lookup_answers_dir)},
      {"lookup_answers_prefill", boolean(&DirectoryConfig::lookup_answers_prefill)},
      {"http_core", text(&DirectoryConfig::http_core)},
      {"event_threads", number(&DirectoryConfig::event_threads)},
      {"worker_threads", number(&DirectoryConfig::worker_threads)},
      {"max_connections", number(&DirectoryConfig::max_connections)},
      {"header_timeout_seconds", number(&DirectoryConfig::header_timeout_seconds)},
      {"body_timeout_seconds", number(&DirectoryConfig::body_timeout_seconds)},
      {"send_timeout_seconds", number(&DirectoryConfig::send_timeout_seconds)},
      {"max_header_bytes", number(&DirectoryConfig::max_header_bytes)},
      {"max_headers", number(&DirectoryConfig::max_headers)},
      {"max_threads", number(&DirectoryConfig::max_threads)},
      {"max_queued", number(&DirectoryConfig::max_queued)},
      {"keep_alive_timeout_seconds", number(&DirectoryConfig::keep_alive_timeout_seconds)},
      {"max_keep_alive_requests", number(&DirectoryConfig::max_keep_alive_requests)},
      {"bucket_bits", number(&DirectoryConfig::bucket_bits)},
      {"wide_threshold", number(&DirectoryConfig::wide_threshold)},
      {"bucket_pad_bytes", number(&DirectoryConfig::bucket_pad_bytes)},
      {"bucket_max_age_seconds", number(&DirectoryConfig::bucket_max_age_seconds)},
      {"expiry_sweep_seconds", number(&DirectoryConfig::expiry_sweep_seconds)},
      {"feed_retention_seconds", number(&DirectoryConfig::feed_retention_seconds)},
      {"upstream", text(&DirectoryConfig::upstream)},
      {"upstream_ca", text(&DirectoryConfig::upstream_ca)},
      {"mode", text(&DirectoryConfig::mode)},
      {"decoys", number(&DirectoryConfig::decoys)},
      {"address_book", text(&DirectoryConfig::address_book)},
      {"poll_seconds", number(&DirectoryConfig::poll_seconds)},
      {"max_staleness_seconds", number(&DirectoryConfig::max_staleness_seconds)},
      {"keep_seconds", number(&DirectoryConfig::keep_seconds)},
      {"backoff_base_seconds", number(&DirectoryConfig::backoff_base_seconds)},
      {"backoff_max_seconds", number(&DirectoryConfig::backoff_max_seconds)},
      {"name", text(&DirectoryConfig::name)},
      {"directory", text(&DirectoryConfig::directory)},
      {"directory_ca", text(&DirectoryConfig::directory_ca)},
      {"tls_ca", text(&DirectoryConfig::tls_ca)},
      {"store", text(&DirectoryConfig::store)},
      {"base_path", text(&DirectoryConfig::base_path)},
      {"max_age_seconds", number(&DirectoryConfig::max_age_seconds)},
      {"tick_seconds", number(&DirectoryConfig::tick_seconds)},
      {"slots_per_tick", number(&DirectoryConfig::slots_per_tick)},
      {"max_store_wait_seconds", number(&DirectoryConfig::max_store_wait_seconds)},
      {"max_jwe_bytes", number(&DirectoryConfig::max_jwe_bytes)},
      {"max_jwes_per_entry", number(&DirectoryConfig::max_jwes_per_entry)},
      {"max_entries_per_tn", number(&DirectoryConfig::max_entries_per_tn)},
      {"max_entries", number(&DirectoryConfig::max_entries)},
      {"min_prefix_digits", number(&DirectoryConfig::min_prefix_digits)},
      {"max_prefix_numbers", number(&DirectoryConfig::max_prefix_numbers)},
      {"dummy_cache_mib", number(&DirectoryConfig::dummy_cache_mib)},
      {"token_keys", text(&DirectoryConfig::token_keys)},
      {"tokens_per_hour", number(&DirectoryConfig::tokens_per_hour)},
      {"token_key_days", number(&DirectoryConfig::token_key_days)},
      {"token_grace_hours", number(&DirectoryConfig::token_grace_hours)},
      {"max_stores_per_tn_per_minute", number(&DirectoryConfig::max_stores_per_tn_per_minute)},
  };
  return table;
}

}  // namespace

Result<void> DirectoryConfig::set(const std::string& name, const std::string& value) {
  std::string key = name;
  std::replace(key.begin(), key.end(), '-', '_');
  if (key == "crl") key = "crls";
  auto setter = setters().find(key);
  if (setter == setters().end()) {
    return fail(ErrorCode::kMalformed, "unknown setting '" + name + "'");
  }
  return setter->second(*this, key, value);
}

Result<void> DirectoryConfig::setAssignment(const std::string& assignment) {
  auto equals = assignment.find('=');
  if (equals == std::string::npos) {
    return fail(ErrorCode::kMalformed, "setting '" + assignment + "' should be NAME=VALUE");
  }
  return set(assignment.substr(0, equals), assignment.substr(equals + 1));
}

Result<void> DirectoryConfig::merge(const nlohmann::json& settings) {
  if (!settings.is_object()) return fail(ErrorCode::kMalformed, "config is not a JSON object");
  for (const auto& [name, value] : settings.items()) {
    std::vector<nlohmann::json> values =
        value.is_array() ? value.get<std::vector<nlohmann::json>>() : std::vector{value};
    for (const auto& one : values) {
      std::string text = one.is_string() ? one.get<std::string>() : one.dump();
      if (auto ok = set(name, text); !ok) return ok;
    }
  }
  return {};
}

Result<void> DirectoryConfig::loadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read config file " + path);
  // Comments (// and /* */) are allowed, so that the packaged files can say
  // what each setting is for.
  nlohmann::json settings = nlohmann::json::parse(in, nullptr, false, /*ignore_comments=*/true);
  if (settings.is_discarded()) {
    return fail(ErrorCode::kMalformed,
                "config file " + path + " is not valid JSON (comments are allowed)");
  }
  if (auto ok = merge(settings); !ok) return failWithContext(ok.error(), path);
  return {};
}

Result<void> DirectoryConfig::validateListener() const {
  if (tls_cert.empty() != tls_key.empty()) {
    return fail(ErrorCode::kMalformed, "HTTPS needs both --tls-cert and --tls-key");
  }
  if (listen.rfind(':') == std::string::npos) {
    return fail(ErrorCode::kMalformed, "listen address '" + listen + "' should be HOST:PORT");
  }
  if (max_threads < 4) return fail(ErrorCode::kMalformed, "max_threads must be at least 4");
  if (http_core != "reactor" && http_core != "threads") {
    return fail(ErrorCode::kMalformed,
                "http_core must be reactor or threads, not '" + http_core + "'");
  }
  if (worker_threads < 1) return fail(ErrorCode::kMalformed, "worker_threads must be at least 1");
  if (max_connections < 1) return fail(ErrorCode::kMalformed, "max_connections must be at least 1");
  if (header_timeout_seconds < 1 || body_timeout_seconds < 1 || send_timeout_seconds < 1 ||
      keep_alive_timeout_seconds < 1) {
    return fail(ErrorCode::kMalformed,
                "keep_alive_timeout_seconds, header_timeout_seconds, body_timeout_seconds and "
                "send_timeout_seconds must each be at least 1");
  }
  if (max_header_bytes < 1024 || max_headers < 8) {
    return fail(ErrorCode::kMalformed,
                "max_header_bytes must be at least 1024 and max_headers at least 8");
  }
  return {};
}

Result<void> DirectoryConfig::validate() const {
  if (trust.empty()) {
    return fail(ErrorCode::kMalformed,
                "no trust anchors: give --trust PEM (nothing is trusted "
                "by default)");
  }
  if (auto ok = validateListener(); !ok) return ok;
  if (peer_poll_ms < 1 || peer_poll_ms > 60000) {
    return fail(ErrorCode::kMalformed, "peer_poll_ms must be between 1 and 60000");
  }
  if (lookup_answers_mib < 0) {
    return fail(ErrorCode::kMalformed, "lookup_answers_mib must be 0 (off) or more");
  }
  if (lookup_answers_mib > 0 &&
      (lookup_answers_file_mib < 1 || lookup_answers_file_mib > (1 << 24))) {
    return fail(ErrorCode::kMalformed,
                "lookup_answers_file_mib must be from 1 to 16777216 (the held answers' file); "
                "lookup_answers_mib=0 turns held answers off");
  }
  if (db_connections < 1) return fail(ErrorCode::kMalformed, "db_connections must be at least 1");
  if (bucket_bits < 8 || bucket_bits > 24 || bucket_bits % 4 != 0) {
    return fail(ErrorCode::kMalformed, "bucket_bits must be a multiple of 4 from 8 to 24");
  }
  if (expiry_sweep_seconds < 1) {
    return fail(ErrorCode::kMalformed, "expiry_sweep_seconds must be at least 1");
  }
  return {};
}

Result<void> DirectoryConfig::validateCache() const {
  if (auto ok = validate(); !ok) return ok;
  if (!upstream.starts_with("http://") && !upstream.starts_with("https://")) {
    return fail(ErrorCode::kMalformed,
                "the cache needs --upstream, the directory's http:// or https:// URL, not '" +
                    upstream + "'");
  }
  if (mode != "mirror" && mode != "buckets") {
    return fail(ErrorCode::kMalformed, "mode must be mirror or buckets, not '" + mode + "'");
  }
  if (poll_seconds < 1) return fail(ErrorCode::kMalformed, "poll_seconds must be at least 1");
  if (decoys > 64) return fail(ErrorCode::kMalformed, "decoys must be at most 64");
  if (backoff_base_seconds <= 0 || backoff_max_seconds < backoff_base_seconds) {
    return fail(ErrorCode::kMalformed,
                "backoff_base_seconds must be above 0 and at most backoff_max_seconds");
  }
  return {};
}

Result<void> DirectoryConfig::validateCps() const {
  if (auto ok = validateListener(); !ok) return ok;
  if (name.empty()) {
    return fail(ErrorCode::kMalformed,
                "the CPS needs --name, its host name as advertised: the audience of the JWTs "
                "it accepts");
  }
  if (trust.empty()) {
    return fail(ErrorCode::kMalformed,
                "the CPS needs --trust, the STI-CA roots: storage tokens are issued to holders of "
                "STIR certificates that chain to them, and the industry interface checks its "
                "JWTs against them");
  }
  if (token_key_days < 1 || token_grace_hours < 0 || token_grace_hours >= 24 * token_key_days) {
    return fail(ErrorCode::kMalformed,
                "token_key_days must be at least 1 and token_grace_hours from 0 to under the "
                "period");
  }
  if (tokens_per_hour < 1 || max_stores_per_tn_per_minute < 1) {
    return fail(ErrorCode::kMalformed,
                "tokens_per_hour and max_stores_per_tn_per_minute must be at least 1");
  }
  if (store == "memory" && token_keys.empty()) {
    return fail(ErrorCode::kMalformed, "token_keys must name the file that keeps token keys");
  }
  // RFC 8816 section 7.5: a CPS keeps a PASSporT no longer than a minute.
  if (max_age_seconds < 1 || max_age_seconds > 60) {
    return fail(ErrorCode::kMalformed, "max_age_seconds must be from 1 to 60 (RFC 8816 7.5), not " +
                                           std::to_string(max_age_seconds));
  }
  if (tick_seconds < 1 || max_age_seconds % tick_seconds != 0) {
    return fail(ErrorCode::kMalformed,
                "tick_seconds must be at least 1 and divide max_age_seconds evenly");
  }
  if (slots_per_tick < 1 || slots_per_tick > 64) {
    return fail(ErrorCode::kMalformed, "slots_per_tick must be from 1 to 64");
  }
  if (max_store_wait_seconds < 0 || max_store_wait_seconds >= max_age_seconds) {
    return fail(ErrorCode::kMalformed,
                "max_store_wait_seconds must be at least 0 and under max_age_seconds");
  }
  if (max_jwe_bytes < 512 || max_jwe_bytes > 65536) {
    return fail(ErrorCode::kMalformed, "max_jwe_bytes must be from 512 to 65536");
  }
  if (max_jwes_per_entry < 1 || max_jwes_per_entry > 64) {
    return fail(ErrorCode::kMalformed, "max_jwes_per_entry must be from 1 to 64");
  }
  if (max_entries_per_tn < 1 || max_entries < max_entries_per_tn) {
    return fail(ErrorCode::kMalformed,
                "max_entries_per_tn must be at least 1 and max_entries at least as many");
  }
  if (min_prefix_digits < 1 || min_prefix_digits > 15) {
    return fail(ErrorCode::kMalformed, "min_prefix_digits must be from 1 to 15");
  }
  if (max_prefix_numbers < 1) {
    return fail(ErrorCode::kMalformed, "max_prefix_numbers must be at least 1");
  }
  if (store != "memory" && !store.starts_with("redis://")) {
    return fail(ErrorCode::kMalformed,
                "store must be memory or redis://HOST:PORT[/DB], not '" + store + "'");
  }
  if (!base_path.empty() && (base_path.front() != '/' || base_path.back() == '/' ||
                             base_path.find_first_of("{}?#% ") != std::string::npos)) {
    return fail(ErrorCode::kMalformed,
                "base_path must be empty or a path like /oob, without a trailing '/', not '" +
                    base_path + "'");
  }
  if (!directory.empty() && !directory.starts_with("http://") &&
      !directory.starts_with("https://")) {
    return fail(ErrorCode::kMalformed,
                "directory must be an http:// or https:// URL, not '" + directory + "'");
  }
  return {};
}

std::string DirectoryConfig::effectivePublicUrl() const {
  if (!public_url.empty()) {
    std::string url = public_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  return std::string(usesTls() ? "https://" : "http://") + listen;
}

nlohmann::json DirectoryConfig::toJson() const {
  // A password in a URI is not printed (libpq reads one from ~/.pgpass).
  return {{"db", redactedTarget(db)},
          {"db_connections", db_connections},
          {"db_cache_mib", db_cache_mib},
          {"bulk_copy_cache_mib", bulk_copy_cache_mib},
          {"db_mmap_mib", db_mmap_mib},
          {"peer_poll_ms", peer_poll_ms},
          {"trust", trust},
          {"crls", crls},
          {"listen", listen},
          {"tls_cert", tls_cert},
          {"tls_key", tls_key},
          {"spc_map", spc_map},
          {"provisioned_cps", provisioned_cps},
          {"public_url", effectivePublicUrl()},
          {"access_log", access_log},
          {"log_full_tn", log_full_tn},
          {"max_body_bytes", max_body_bytes},
          {"max_chain_length", max_chain_length},
          {"max_keys_per_signer_scope", max_keys_per_signer_scope},
          {"max_credential_validity_seconds", max_credential_validity_seconds},
          {"require_delegation_usage", require_delegation_usage},
          {"revocation_window_seconds", revocation_window_seconds},
          {"max_advertisement_pairs", max_advertisement_pairs},
          {"write_rate_per_second", write_rate_per_second},
          {"write_burst", write_burst},
          {"lookup_max_age_seconds", lookup_max_age_seconds},
          {"lookup_answers_mib", lookup_answers_mib},
          {"lookup_answers_file_mib", lookup_answers_file_mib},
          {"lookup_answers_dir", lookup_answers_dir},
          {"lookup_answers_prefill", lookup_answers_prefill},
          {"http_core", http_core},
          {"event_threads", event_threads},
          {"worker_threads", worker_threads},
          {"max_connections", max_connections},
          {"header_timeout_seconds", header_timeout_seconds},
          {"body_timeout_seconds", body_timeout_seconds},
          {"send_timeout_seconds", send_timeout_seconds},
          {"max_header_bytes", max_header_bytes},
          {"max_headers", max_headers},
          {"max_threads", max_threads},
          {"max_queued", max_queued},
          {"keep_alive_timeout_seconds", keep_alive_timeout_seconds},
          {"max_keep_alive_requests", max_keep_alive_requests},
          {"bucket_bits", bucket_bits},
          {"wide_threshold", wide_threshold},
          {"bucket_pad_bytes", bucket_pad_bytes},
          {"bucket_max_age_seconds", bucket_max_age_seconds},
          {"expiry_sweep_seconds", expiry_sweep_seconds},
          {"feed_retention_seconds", feed_retention_seconds},
          {"upstream", upstream},
          {"upstream_ca", upstream_ca},
          {"mode", mode},
          {"decoys", decoys},
          {"address_book", address_book},
          {"poll_seconds", poll_seconds},
          {"max_staleness_seconds", effectiveMaxStalenessSeconds()},
          {"keep_seconds", keep_seconds},
          {"backoff_base_seconds", backoff_base_seconds},
          {"backoff_max_seconds", backoff_max_seconds},
          {"name", name},
          {"directory", directory},
          {"directory_ca", directory_ca},
          {"tls_ca", tls_ca},
          {"store", store},
          {"base_path", base_path},
          {"max_age_seconds", max_age_seconds},
          {"tick_seconds", tick_seconds},
          {"slots_per_tick", slots_per_tick},
          {"max_store_wait_seconds", max_store_wait_seconds},
          {"max_jwe_bytes", max_jwe_bytes},
          {"max_jwes_per_entry", max_jwes_per_entry},
          {"max_entries_per_tn", max_entries_per_tn},
          {"max_entries", max_entries},
          {"min_prefix_digits", min_prefix_digits},
          {"max_prefix_numbers", max_prefix_numbers},
          {"dummy_cache_mib", dummy_cache_mib},
          {"token_keys", token_keys},
          {"tokens_per_hour", tokens_per_hour},
          {"token_key_days", token_key_days},
          {"token_grace_hours", token_grace_hours},
          {"max_stores_per_tn_per_minute", max_stores_per_tn_per_minute}};
}

}  // namespace keydir
