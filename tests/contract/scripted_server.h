#pragma once

// A vendor server of raw sockets on 127.0.0.1, so a test decides byte by
// byte what the vendor does with each request: answer anything, answer late,
// or close the connection with no answer. Each connection has its own thread.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace loyalty::contract {

class ScriptedServer {
 public:
  // What to write back for the `nth` request (from 0) on its connection;
  // nullopt closes the connection instead.
  using Script = std::function<std::optional<std::string>(int nth, const std::string& request)>;

  // With `close_after_answer`, each connection is closed right after its
  // first answer, which says nothing of it: a server whose keep-alive ran out.
  explicit ScriptedServer(Script script, bool close_after_answer = false)
      : script_(std::move(script)), close_after_answer_(close_after_answer) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(listener_, 64);
    socklen_t length = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    acceptor_.join();
    close(listener_);
    std::lock_guard lock(mutex_);
    for (auto& t : connections_) t.join();
  }

  int port() const { return port_; }
  int requests() const { return requests_; }

  // A well-formed answer with `body`.
  static std::string Answer(const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

 private:
  void Accept() {
    while (!stopping_) {
      pollfd listening{listener_, POLLIN, 0};
      if (poll(&listening, 1, 20) <= 0) continue;
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Reads one request (headers, then a Content-Length body); false at the
  // connection's end or on shutdown.
  bool ReadRequest(int fd, std::string& buffer, std::string& request) {
    while (true) {
      const size_t end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const size_t at = buffer.find("Content-Length: ");
        if (at != std::string::npos && at < end)
          length = std::strtoul(&buffer[at + 16], nullptr, 10);
        if (buffer.size() >= end + 4 + length) {
          request = buffer.substr(0, end + 4 + length);
          buffer.erase(0, end + 4 + length);
          return true;
        }
      }
      pollfd readable{fd, POLLIN, 0};
      if (stopping_) return false;
      if (poll(&readable, 1, 20) <= 0) continue;
      char bytes[4096];
      const ssize_t n = recv(fd, bytes, sizeof bytes, 0);
      if (n <= 0) return false;
      buffer.append(bytes, static_cast<size_t>(n));
    }
  }

  void Serve(int fd) {
    std::string buffer;
    std::string request;
    for (int nth = 0; ReadRequest(fd, buffer, request); ++nth) {
      ++requests_;
      const std::optional<std::string> answer = script_(nth, request);
      if (!answer.has_value()) break;
      if (send(fd, answer->data(), answer->size(), MSG_NOSIGNAL) < 0) break;
      if (close_after_answer_) break;
    }
    close(fd);
  }

  Script script_;
  const bool close_after_answer_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace loyalty::contract
