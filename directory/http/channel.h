#pragma once
// The bytes of one accepted connection, plain or TLS, on a non-blocking
// socket. A call never waits: when the socket cannot go on it says which
// readiness it needs (a TLS read may need to write, and a write to read),
// and the serving core asks the reactor for that. A worker thread that owns
// the connection waits for it with poll(2) instead (waitFor).

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

enum class IoStatus {
  kDone,       // `bytes` moved (a read of 0 bytes never says kDone)
  kWantRead,   // try again once the socket is readable
  kWantWrite,  // try again once the socket is writable
  kClosed,     // the peer closed (a read) or went away (a write)
  kFailed,     // a protocol or socket error: the connection is over
};

struct IoResult {
  IoStatus status = IoStatus::kDone;
  std::size_t bytes = 0;
};

class Channel {
 public:
  virtual ~Channel() = default;
  // kDone once the connection can carry requests; a plain one at once.
  virtual IoResult handshake() = 0;
  virtual IoResult read(char* into, std::size_t size) = 0;
  virtual IoResult write(const char* from, std::size_t size) = 0;
  // Writes `pieces` in order as far as the socket takes them: kDone with
  // the bytes written across all of them (possibly fewer than their sum),
  // or what write() would say of the first. A plain socket takes them in
  // one call; the default writes piece by piece.
  virtual IoResult writeGathered(const std::string_view* pieces, std::size_t count);
  // No more bytes from us: TLS sends close_notify, then the socket's write
  // side is shut, so that the client reads the end of the last answer.
  virtual void shutdownWrite() = 0;
  // True when bytes were received and decrypted but not yet read: the
  // socket will not say so again.
  virtual bool hasBuffered() const { return false; }
  int fd() const { return fd_; }

 protected:
  explicit Channel(int fd) : fd_(fd) {}
  int fd_;
};

// Waits until `fd` is ready as `status` (kWantRead or kWantWrite) asks, at
// most until `deadline`; false when the deadline passed first.
bool waitFor(int fd, IoStatus status, std::chrono::steady_clock::time_point deadline);

std::unique_ptr<Channel> plainChannel(int fd);

using SslCtxPtr = std::unique_ptr<SSL_CTX, Free<&SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Free<&SSL_free>>;

// TLS 1.2 suites a server offers: forward secrecy (ECDHE) and AEAD only,
// Mozilla's "intermediate" list without its finite-field DHE suites; no
// CBC (LUCKY13), no static RSA. TLS 1.3's suites are all AEAD and stay as
// OpenSSL has them.
inline constexpr const char* kTls12CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The server's certificate chain and key, TLS 1.2 or later only.
class TlsServerContext {
 public:
  // kUnavailable naming the file and OpenSSL's reason when either does not load.
  static Result<std::shared_ptr<TlsServerContext>> load(const std::string& cert_chain_pem,
                                                        const std::string& key_pem);
  std::unique_ptr<Channel> channel(int fd) const;

 private:
  explicit TlsServerContext(SslCtxPtr context) : context_(std::move(context)) {}
  SslCtxPtr context_;
};

}  // namespace keydir
