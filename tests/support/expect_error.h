#pragma once
// Asserts that a Result failed with exactly `code` and a message that says
// `says`, so a negative test pins both the type and the explanation.

#include <gtest/gtest.h>

#include <string>

#include "certs/error.h"

namespace keydir::testing {

template <class T>
void expectError(const Result<T>& result, ErrorCode code, const std::string& says) {
  ASSERT_FALSE(result) << "expected " << errorTypeName(code) << " containing '" << says << "'";
  EXPECT_EQ(result.error().code, code) << result.error().message;
  EXPECT_NE(result.error().message.find(says), std::string::npos) << result.error().message;
}

}  // namespace keydir::testing
