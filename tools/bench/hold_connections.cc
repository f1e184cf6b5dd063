// Holds connections open against a server, the way an attacker with one
// laptop would, for the serving-core benchmark (issue 12):
//
//   keydir-bench-hold PORT IDLE SLOW
//
// IDLE connections connect and send nothing; SLOW connections send a
// request head that never ends, one byte a second. Any the server closes
// (its deadlines) are opened again at once, so the load stays constant.
// Every 5 s it prints how many are open and how many the server closed.
// Runs until killed.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Held {
  int fd = -1;
  bool slow = false;
  std::size_t sent = 0;  // bytes of the endless head so far
  Clock::time_point next_byte{};
};

int openConnection(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// The byte a slow connection sends next: a head that never ends.
char headByte(std::size_t at) {
  static const std::string start = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  return at < start.size() ? start[at] : 'a';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: keydir-bench-hold PORT IDLE SLOW\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int idle = std::atoi(argv[2]);
  const int slow = std::atoi(argv[3]);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  std::vector<Held> held(std::size_t(idle + slow));
  for (std::size_t i = 0; i < held.size(); ++i) held[i].slow = int(i) >= idle;
  long long reopened = 0;
  Clock::time_point next_report = Clock::now() + std::chrono::seconds(5);
  std::vector<pollfd> polled;
  for (;;) {
    const Clock::time_point now = Clock::now();
    for (Held& one : held) {
      if (one.fd < 0) {
        one.fd = openConnection(port);
        one.sent = 0;
        one.next_byte = now;
        if (one.fd >= 0) ++reopened;
        continue;
      }
      if (one.slow && now >= one.next_byte) {
        char byte = headByte(one.sent);
        if (::send(one.fd, &byte, 1, MSG_NOSIGNAL) == 1) ++one.sent;
        one.next_byte = now + std::chrono::seconds(1);
      }
    }
    // Whatever the server says (an answer, a close) ends the connection
    // here; it is opened again on the next round.
    polled.clear();
    for (const Held& one : held) polled.push_back({one.fd, POLLIN, 0});
    ::poll(polled.data(), polled.size(), 100);
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (held[i].fd >= 0 && (polled[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        ::close(held[i].fd);
        held[i].fd = -1;
      }
    }
    if (now >= next_report) {
      std::size_t open = 0;
      for (const Held& one : held) open += one.fd >= 0;
      std::printf("open %zu of %zu, opened %lld\n", open, held.size(), reopened);
      std::fflush(stdout);
      next_report = now + std::chrono::seconds(5);
    }
  }
}
