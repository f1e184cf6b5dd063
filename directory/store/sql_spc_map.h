#pragma once
// The SPC map as the directory keeps it: SQLite tables spc_map and
// spc_blocks, read through the SpcMap interface of the certs library.
// A storage failure here is broken machinery and throws std::runtime_error;
// the request handler turns it into a 503.

#include "certs/spc_map.h"
#include "directory/store/connection_pool.h"

namespace keydir {

class SqlSpcMap : public SpcMap {
 public:
  explicit SqlSpcMap(ConnectionPool& pool) : pool_(pool) {}

  std::optional<std::string> spcOf(std::string_view tn) const override;
  std::vector<SpcAssignment> assignmentsOverlapping(const PrefixBlock& block) const override;
  std::vector<SpcAssignment> assignmentsOf(std::string_view spc) const override;

 private:
  ConnectionPool& pool_;
};

}  // namespace keydir
