#pragma once
// A test STI-CA on disk, as `keydir pki init` and `keydir pki issue` make it:
//   DIR/root.pem, root.key            self-signed STI-CA root
//   DIR/intermediate.pem, .key        STI-CA intermediate under the root
//   DIR/trust.pem                     the anchor bundle to give --trust
//   DIR/NAME.pem, NAME.key            each issued certificate and its key
//   DIR/NAME.chain.pem                NAME and its issuers, root excluded
// Keys are written 0600. Not for production use: the root key sits on disk.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/spc_map.h"
#include "certs/tn_scope.h"

namespace keydir {

enum class CertificateKind {
  kServiceProvider,  // CA that signs and may issue RFC 9060 delegates
  kEnterprise,       // end entity
  kDelegateCa,       // RFC 9060 delegate CA under a service provider
};

Result<CertificateKind> parseCertificateKind(std::string_view text);  // sp, enterprise, delegate-ca

struct IssueRequest {
  std::string name;  // file stem in the directory; letters, digits, '-', '_'
  CertificateKind kind = CertificateKind::kEnterprise;
  std::string issuer = "intermediate";  // name of an earlier certificate
  std::string common_name;              // defaults to `name`
  std::vector<TnScope> scopes;
  bool delegation_usage = true;
  // Issue even when `scopes` reach outside the issuer's TNAuthList, to make
  // deliberately bad test material.
  bool allow_overreach = false;
  std::chrono::seconds validity = std::chrono::hours(24 * 365);
  std::optional<Instant> not_before;  // default: an hour before `now`
};

struct IssuedFiles {
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::filesystem::path chain;
};

class PkiDirectory {
 public:
  // Creates the root, the intermediate and trust.pem. kMalformed if the
  // directory already holds a root, so that nothing is overwritten.
  static Result<PkiDirectory> init(const std::filesystem::path& dir, Instant now);
  // kNotFound if `dir` holds no PKI made by init().
  static Result<PkiDirectory> open(const std::filesystem::path& dir);

  // kMalformed for a bad name, a name already used, or scopes missing for a
  // kind that needs them; kNotFound for an unknown issuer; kNotAuthorized
  // when scopes reach outside the issuer's TNAuthList (unless allowed).
  Result<IssuedFiles> issue(const IssueRequest& request, Instant now,
                            const SpcMap* spc_map = nullptr) const;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path trustFile() const { return dir_ / "trust.pem"; }

 private:
  explicit PkiDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace keydir
