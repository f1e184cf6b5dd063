#include "directory/http/channel.h"

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "certs/openssl_error.h"

namespace keydir {
namespace {

IoResult fromErrno() {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::kWantRead};
  if (errno == ECONNRESET || errno == EPIPE) return {IoStatus::kClosed};
  return {IoStatus::kFailed};
}

class PlainChannel : public Channel {
 public:
  explicit PlainChannel(int fd) : Channel(fd) {}
  IoResult handshake() override { return {IoStatus::kDone}; }

  IoResult read(char* into, std::size_t size) override {
    for (;;) {
      ssize_t got = ::recv(fd_, into, size, 0);
      if (got > 0) return {IoStatus::kDone, std::size_t(got)};
      if (got == 0) return {IoStatus::kClosed};
      if (errno != EINTR) return fromErrno();
    }
  }

  IoResult write(const char* from, std::size_t size) override {
    for (;;) {
      // MSG_NOSIGNAL: a client gone away is an error to handle, not SIGPIPE.
      ssize_t sent = ::send(fd_, from, size, MSG_NOSIGNAL);
      if (sent >= 0) return {IoStatus::kDone, std::size_t(sent)};
      if (errno == EINTR) continue;
      IoResult result = fromErrno();
      if (result.status == IoStatus::kWantRead) result.status = IoStatus::kWantWrite;
      return result;
    }
  }

  IoResult writeGathered(const std::string_view* pieces, std::size_t count) override {
    // A bucket answer is its records and a shared block of padding: one
    // system call sends both without copying them together first.
    constexpr std::size_t kMostPieces = 64;
    iovec vectors[kMostPieces];
    const std::size_t used = std::min(count, kMostPieces);
    for (std::size_t i = 0; i < used; ++i) {
      vectors[i].iov_base = const_cast<char*>(pieces[i].data());
      vectors[i].iov_len = pieces[i].size();
    }
    msghdr message{};
    message.msg_iov = vectors;
    message.msg_iovlen = used;
    for (;;) {
      ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
      if (sent >= 0) return {IoStatus::kDone, std::size_t(sent)};
      if (errno == EINTR) continue;
      IoResult result = fromErrno();
      if (result.status == IoStatus::kWantRead) result.status = IoStatus::kWantWrite;
      return result;
    }
  }

  void shutdownWrite() override { ::shutdown(fd_, SHUT_WR); }
};

class TlsChannel : public Channel {
 public:
  TlsChannel(int fd, SslPtr ssl) : Channel(fd), ssl_(std::move(ssl)) {}

  IoResult handshake() override {
    ERR_clear_error();
    int done = SSL_accept(ssl_.get());
    if (done == 1) return {IoStatus::kDone};
    return outcome(done);
  }

  IoResult read(char* into, std::size_t size) override {
    ERR_clear_error();
    std::size_t got = 0;
    if (SSL_read_ex(ssl_.get(), into, size, &got) == 1) return {IoStatus::kDone, got};
    return outcome(0);
  }

  IoResult write(const char* from, std::size_t size) override {
    if (size == 0) return {IoStatus::kDone, 0};
    ERR_clear_error();
    std::size_t sent = 0;
    if (SSL_write_ex(ssl_.get(), from, size, &sent) == 1) return {IoStatus::kDone, sent};
    return outcome(0);
  }

  void shutdownWrite() override {
    ERR_clear_error();
    // One try: close_notify is a courtesy, and a peer that does not read
    // it must not hold the connection open.
    if (!failed_) SSL_shutdown(ssl_.get());
    ERR_clear_error();
    ::shutdown(fd_, SHUT_WR);
  }

  bool hasBuffered() const override { return SSL_pending(ssl_.get()) > 0; }

 private:
  IoResult outcome(int returned) {
    switch (SSL_get_error(ssl_.get(), returned)) {
      case SSL_ERROR_WANT_READ:
        return {IoStatus::kWantRead};
      case SSL_ERROR_WANT_WRITE:
        return {IoStatus::kWantWrite};
      case SSL_ERROR_ZERO_RETURN:
        return {IoStatus::kClosed};
      case SSL_ERROR_SYSCALL:
        // EOF without close_notify, or a reset: the client went away.
        failed_ = true;
        ERR_clear_error();
        return {IoStatus::kClosed};
      default:
        failed_ = true;
        ERR_clear_error();
        return {IoStatus::kFailed};
    }
  }

  SslPtr ssl_;
  bool failed_ = false;  // OpenSSL forbids SSL_shutdown after a fatal error
};

}  // namespace

bool waitFor(int fd, IoStatus status, std::chrono::steady_clock::time_point deadline) {
  pollfd want{fd, short(status == IoStatus::kWantWrite ? POLLOUT : POLLIN), 0};
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int ready = ::poll(&want, 1, int(std::min<long long>(left.count(), 1000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // the next call reports the error
  }
}

IoResult Channel::writeGathered(const std::string_view* pieces, std::size_t count) {
  std::size_t written = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (pieces[i].empty()) continue;
    IoResult result = write(pieces[i].data(), pieces[i].size());
    if (result.status != IoStatus::kDone) {
      return written > 0 ? IoResult{IoStatus::kDone, written} : result;
    }
    written += result.bytes;
    if (result.bytes < pieces[i].size()) break;
  }
  return {IoStatus::kDone, written};
}

std::unique_ptr<Channel> plainChannel(int fd) { return std::make_unique<PlainChannel>(fd); }

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::load(const std::string& cert_chain_pem,
                                                                 const std::string& key_pem) {
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context)
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("cannot make a TLS context"));
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(context.get(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(context.get(), kTls12CipherList) != 1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("cannot set the TLS 1.2 suites"));
  }
  // Partial writes and a moving buffer let an answer go out from wherever
  // the connection's output stands; released buffers keep an idle TLS
  // connection to a few KiB.
  SSL_CTX_set_mode(context.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                                      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                      SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(context.get(), cert_chain_pem.c_str()) != 1) {
    return fail(ErrorCode::kUnavailable,
                drainOpensslErrors("cannot load the TLS certificate chain " + cert_chain_pem));
  }
  if (SSL_CTX_use_PrivateKey_file(context.get(), key_pem.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail(ErrorCode::kUnavailable,
                drainOpensslErrors("cannot load the TLS private key " + key_pem));
  }
  if (SSL_CTX_check_private_key(context.get()) != 1) {
    return fail(ErrorCode::kUnavailable,
                drainOpensslErrors("the TLS key " + key_pem + " does not match " + cert_chain_pem));
  }
  return std::shared_ptr<TlsServerContext>(new TlsServerContext(std::move(context)));
}

std::unique_ptr<Channel> TlsServerContext::channel(int fd) const {
  SslPtr ssl(SSL_new(context_.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(ssl.get());
  return std::make_unique<TlsChannel>(fd, std::move(ssl));
}

}  // namespace keydir
