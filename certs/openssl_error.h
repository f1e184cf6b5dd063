#pragma once
// Turns OpenSSL's thread-local error queue into text for an Error message.

#include <string>
#include <string_view>

namespace keydir {

// Reads and clears the queue. Returns `what`, plus OpenSSL's reasons after a
// colon when it recorded any.
std::string drainOpensslErrors(std::string_view what);

}  // namespace keydir
