#include "directory/http/http_connection.h"

#include <Poco/NObserver.h>
#include <Poco/Net/HTTPResponse.h>

#include <cstdio>
#include <iostream>

#include "directory/http/connection_transport.h"
#include "directory/http/event_reactor.h"
#include "directory/http/reactor_core.h"
#include "directory/http/router.h"

namespace keydir {
namespace {

using Clock = std::chrono::steady_clock;
using ReadObserver = Poco::NObserver<HttpConnection, Poco::Net::ReadableNotification>;
using WriteObserver = Poco::NObserver<HttpConnection, Poco::Net::WritableNotification>;

// Past this much unsent output the connection stops taking requests until
// the client reads: a pipelining client cannot make the server buffer
// answers without end.
constexpr std::size_t kOutputHighWater = 256 * 1024;
// A worker writes once this much waits, so a long stream is not held whole.
constexpr std::size_t kWorkerWriteBytes = 64 * 1024;
// After its last answer a closing connection reads and drops what the
// client still sends, so that the client gets the answer and not a reset
// (RFC 9112 section 9.6), for at most this long and this much.
constexpr auto kLingerFor = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;
// A read round stops once the parser holds this much beyond a whole
// request's limits; the rest waits in the socket.
constexpr std::size_t kReadSlack = 64 * 1024;

}  // namespace

HttpConnection::HttpConnection(Poco::Net::StreamSocket& socket, Poco::Net::SocketReactor& reactor)
    : socket_(socket),
      reactor_(static_cast<EventReactor&>(reactor)),
      parser_(reactor_.core().limits().request) {
  socket_.setBlocking(false);
  socket_.setNoDelay(true);
  try {
    client_host_ = socket_.peerAddress().host().toString();
  } catch (const std::exception&) {
    client_host_ = "unknown";  // gone already; the first read will say so
  }
  const int fd = socket_.impl()->sockfd();
  if (const TlsServerContext* tls = core().tls()) {
    channel_ = tls->channel(fd);
    if (!channel_) throw std::runtime_error("cannot start TLS on a new connection");
  } else {
    channel_ = plainChannel(fd);
    phase_ = Phase::kServing;
  }
  setDeadline(Clock::now() + core().limits().header_timeout);
  reactor_.track(this);
  handToEventThread(false);
}

HttpConnection::~HttpConnection() = default;

ReactorCore& HttpConnection::core() { return reactor_.core(); }

void HttpConnection::onReadable(const Poco::AutoPtr<Poco::Net::ReadableNotification>&) {
  advanceOrClose();
}

void HttpConnection::onWritable(const Poco::AutoPtr<Poco::Net::WritableNotification>&) {
  advanceOrClose();
}

void HttpConnection::advanceOrClose() {
  try {
    advance();
  } catch (const std::exception& error) {
    // The router answers what a route throws; this is the machinery
    // itself failing (out of memory, a socket call): this connection ends,
    // the others go on.
    std::cerr << "keydir: closing a connection after an error: " << error.what() << "\n";
    destroy();
  }
}

void HttpConnection::advance() {
  if (phase_ == Phase::kHandshake) return handshake();
  if (phase_ == Phase::kLingering) return linger();
  // TLS may hold decrypted bytes the socket no longer signals: go on while
  // it does and the connection still takes requests.
  for (int round = 0; round < 16; ++round) {
    if (!readArrived()) return destroy();
    if (!serveArrived(false)) return;  // a worker has it now
    if (!flush()) return destroy();
    const bool takes_more =
        !peer_closed_ && !close_after_flush_ && pendingOutput() < kOutputHighWater;
    if (!takes_more || !channel_->hasBuffered()) break;
  }
  if (pendingOutput() == 0) {
    if (close_after_flush_) return startClosing();
    if (peer_closed_) return destroy();  // nothing more can come
  }
  updateDeadline();
  const bool read = (!peer_closed_ && !close_after_flush_ && pendingOutput() < kOutputHighWater) ||
                    write_wants_read_;
  setInterest(read, pendingOutput() > 0 || read_wants_write_);
}

void HttpConnection::handshake() {
  IoResult result = channel_->handshake();
  switch (result.status) {
    case IoStatus::kDone:
      phase_ = Phase::kServing;
      return advance();
    case IoStatus::kWantRead:
      return setInterest(true, false);
    case IoStatus::kWantWrite:
      return setInterest(false, true);
    default:
      return destroy();
  }
}

void HttpConnection::linger() {
  thread_local char buffer[16 * 1024];
  for (;;) {
    IoResult result = channel_->read(buffer, sizeof buffer);
    if (result.status == IoStatus::kWantRead || result.status == IoStatus::kWantWrite) return;
    if (result.status != IoStatus::kDone) return destroy();
    lingered_bytes_ += result.bytes;
    if (lingered_bytes_ > kLingerBytes) return destroy();
  }
}

bool HttpConnection::readArrived() {
  read_wants_write_ = false;
  if (peer_closed_ || close_after_flush_ || pendingOutput() >= kOutputHighWater) return true;
  const RequestLimits& limits = core().limits().request;
  const std::size_t most = limits.max_header_bytes + limits.max_body_bytes + kReadSlack;
  thread_local char buffer[64 * 1024];
  while (parser_.buffered() < most) {
    IoResult result = channel_->read(buffer, sizeof buffer);
    switch (result.status) {
      case IoStatus::kDone:
        parser_.feed({buffer, result.bytes});
        break;
      case IoStatus::kWantRead:
        return true;
      case IoStatus::kWantWrite:
        read_wants_write_ = true;
        return true;
      case IoStatus::kClosed:
        peer_closed_ = true;
        return true;
      case IoStatus::kFailed:
        return false;
    }
  }
  return true;
}

bool HttpConnection::serveArrived(bool on_worker) {
  while (!close_after_flush_ && !broken_ && (on_worker || pendingOutput() < kOutputHighWater)) {
    std::optional<ParsedRequest> request = parser_.next();
    if (!request) {
      if (const auto& refusal = parser_.refusal()) {
        answerRefusal(refusal->status, refusal->why);
      } else if (parser_.takeContinue()) {
        queue("HTTP/1.1 100 Continue\r\n\r\n");
      }
      break;
    }
    ++served_;
    const bool keep_alive = request->head.getKeepAlive() &&
                            served_ < core().limits().max_requests_per_connection &&
                            !core().stopping();
    if (!on_worker && core().router().mayWait(request->head)) {
      away_.store(true, std::memory_order_release);
      setInterest(false, false);
      auto shared = std::make_shared<ParsedRequest>(std::move(*request));
      core().workers().submit([this, shared, keep_alive] { serveOnWorker(shared, keep_alive); });
      return false;
    }
    answer(*request, keep_alive);
  }
  return true;
}

void HttpConnection::answer(ParsedRequest& request, bool keep_alive) {
  ConnectionTransport transport(*this, request, keep_alive);
  core().router().handle(transport);
  if (!transport.answered()) {
    core().router().refuse(transport, 503, "the server gave no answer to this request");
  }
  transport.finish();
}

void HttpConnection::answerRefusal(int status, const std::string& why) {
  ParsedRequest none;
  none.head.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  ConnectionTransport transport(*this, none, false);
  core().router().refuse(transport, status, why);
  transport.finish();
}

void HttpConnection::queue(std::string_view bytes) {
  if (broken_ || bytes.empty()) return;
  if (pendingOutput() == 0) last_progress_ = Clock::now();
  out_.append(bytes);
  if (blocking_ && pendingOutput() >= kWorkerWriteBytes) flushWaiting();
}

void HttpConnection::queueLasting(std::string_view bytes) {
  if (broken_ || bytes.empty()) return;
  if (pendingOutput() == 0) last_progress_ = Clock::now();
  out_.appendLasting(bytes);
  if (blocking_ && pendingOutput() >= kWorkerWriteBytes) flushWaiting();
}

bool HttpConnection::flush() {
  write_wants_read_ = false;
  while (pendingOutput() > 0) {
    IoResult result = out_.writeTo(*channel_);
    if (result.status == IoStatus::kDone) {
      last_progress_ = Clock::now();
      continue;
    }
    if (result.status == IoStatus::kWantWrite) break;
    if (result.status == IoStatus::kWantRead) {
      write_wants_read_ = true;
      break;
    }
    broken_ = true;
    return false;
  }
  return true;
}

bool HttpConnection::flushWaiting() {
  const auto patience = core().limits().send_timeout;
  Clock::time_point deadline = Clock::now() + patience;
  while (!broken_ && pendingOutput() > 0) {
    IoResult result = out_.writeTo(*channel_);
    if (result.status == IoStatus::kDone) {
      deadline = Clock::now() + patience;
      continue;
    }
    if (result.status != IoStatus::kWantRead && result.status != IoStatus::kWantWrite) {
      broken_ = true;
      break;
    }
    // Short waits, so that a stopping server need not wait out a slow client.
    const Clock::time_point until =
        std::min(deadline, Clock::now() + std::chrono::milliseconds(200));
    if (!waitFor(channel_->fd(), result.status, until) &&
        (core().stopping() || Clock::now() >= deadline)) {
      broken_ = true;
    }
  }
  if (!broken_) write_wants_read_ = false;
  return !broken_;
}

void HttpConnection::serveOnWorker(std::shared_ptr<ParsedRequest> request, bool keep_alive) {
  blocking_ = true;
  try {
    // Answers queued before this request go first, then its own, then any
    // whole requests that arrived behind it.
    answer(*request, keep_alive);
    serveArrived(true);
    flushWaiting();
  } catch (const std::exception&) {
    broken_ = true;
  }
  blocking_ = false;
  if (broken_ || core().stopping() || (peer_closed_ && !close_after_flush_)) return destroy();
  handBack();
}

void HttpConnection::handBack() {
  if (close_after_flush_) {
    channel_->shutdownWrite();
    phase_ = Phase::kLingering;
    setDeadline(Clock::now() + kLingerFor);
  } else {
    updateDeadline();
  }
  // Under the reactor's lock, so that its deadline check sees the
  // connection either away or wholly back; the event thread may serve it
  // from the moment the interest is set.
  std::lock_guard lock(reactor_.handBackMutex());
  away_.store(false, std::memory_order_release);
  // Bytes TLS already decrypted raise no readable event: a writable one,
  // at once, makes the event thread read them.
  handToEventThread(channel_->hasBuffered());
}

void HttpConnection::onDeadline() {
  if (phase_ != Phase::kServing || pendingOutput() > 0 || !parser_.midRequest()) {
    return destroy();  // a handshake, linger, idle wait or unread answer ran out
  }
  const auto& limits = core().limits();
  if (parser_.awaitingBody()) {
    answerRefusal(408, "the request's body did not arrive within " +
                           std::to_string(limits.body_timeout.count()) + " s of its head");
  } else {
    answerRefusal(408, "the request's header block did not arrive within " +
                           std::to_string(limits.header_timeout.count()) + " s");
  }
  if (!flush()) return destroy();
  if (pendingOutput() == 0) return startClosing();
  setDeadline(last_progress_ + limits.send_timeout);
  setInterest(false, true);
}

void HttpConnection::setDeadline(Clock::time_point when) {
  deadline_.store(when.time_since_epoch().count(), std::memory_order_release);
}

void HttpConnection::updateDeadline() {
  const auto& limits = core().limits();
  const Clock::time_point now = Clock::now();
  if (pendingOutput() > 0) return setDeadline(last_progress_ + limits.send_timeout);
  if (!parser_.midRequest()) {
    started_for_ = kNone;
    body_for_ = kNone;
    return setDeadline(now + (served_ == 0 ? limits.header_timeout : limits.keep_alive_timeout));
  }
  // The deadlines run from the moment this request's first byte, and then
  // its whole head, was seen.
  if (started_for_ != served_) {
    started_for_ = served_;
    request_started_ = now;
  }
  if (!parser_.awaitingBody()) return setDeadline(request_started_ + limits.header_timeout);
  if (body_for_ != served_) {
    body_for_ = served_;
    body_started_ = now;
  }
  setDeadline(body_started_ + limits.body_timeout);
}

void HttpConnection::setInterest(bool read, bool write) {
  if (read == reading_ && write == writing_) return;
  const bool drop_read = reading_ && !read;
  const bool drop_write = writing_ && !write;
  reading_ = read;
  writing_ = write;
  if (drop_read)
    reactor_.removeEventHandler(socket_, ReadObserver(*this, &HttpConnection::onReadable));
  if (drop_write) {
    reactor_.removeEventHandler(socket_, WriteObserver(*this, &HttpConnection::onWritable));
  }
  // Adding an observer the socket has already makes Poco 1.11 compute its
  // poll mode afresh, which removing one of two does not.
  Poco::Net::StreamSocket socket = socket_;
  if (read) reactor_.addEventHandler(socket, ReadObserver(*this, &HttpConnection::onReadable));
  if (write) reactor_.addEventHandler(socket, WriteObserver(*this, &HttpConnection::onWritable));
  // A reactor with no socket to watch sleeps out its timeout rather than
  // poll (Poco 1.11's SocketReactor::run), so a connection accepted or
  // handed back by a worker would wait up to 100 ms for its first read.
  if (!drop_read && !drop_write) reactor_.wakeUp();
}

void HttpConnection::handToEventThread(bool write) {
  // The event thread may serve the connection, and end it, from the moment
  // one observer is added: so exactly one is, after every field the event
  // thread reads is set, and the reactor is reached through a local.
  // Waiting for a writable event suffices when both are wanted: serving
  // one reads as well, and sets the interest it needs from there.
  reading_ = !write;
  writing_ = write;
  EventReactor& reactor = reactor_;
  Poco::Net::StreamSocket socket = socket_;
  if (write) {
    reactor.addEventHandler(socket, WriteObserver(*this, &HttpConnection::onWritable));
  } else {
    reactor.addEventHandler(socket, ReadObserver(*this, &HttpConnection::onReadable));
  }
  // See setInterest: an idle reactor would not poll for up to 100 ms.
  reactor.wakeUp();
}

void HttpConnection::startClosing() {
  channel_->shutdownWrite();
  phase_ = Phase::kLingering;
  setDeadline(Clock::now() + kLingerFor);
  setInterest(true, false);
}

void HttpConnection::destroy() {
  reactor_.untrack(this);
  abandon();
}

void HttpConnection::abandon() {
  setInterest(false, false);
  try {
    socket_.close();
  } catch (const std::exception&) {
    // Closing what the peer reset already: nothing left to release.
  }
  core().release();
  delete this;
}

}  // namespace keydir
