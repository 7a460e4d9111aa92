// tests/net/loopback_peer.hpp — test-only scripted HTTP peers on 127.0.0.1 (port 0).
//
// Owns: ScriptServer, a blocking POSIX listener that runs a script per accepted connection on
// its own thread (optionally TLS through OpenSSL with a certificate generated at test time),
// Peer (one blocking connection with 10 s socket timeouts so a broken test fails instead of
// hanging), a minimal request reader, a self-signed certificate generator, and Latch, a
// one-shot signal with a bounded wait. No sleeps anywhere: peers wait on sockets or latches.
// Thread-safety: ScriptServer's counters are atomic; scripts run one thread per connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace openrain::testing_net {

/// One-shot signal with a bounded wait.
class Latch {
 public:
  void set() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      set_ = true;
    }
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return set_; });
  }
  bool is_set() {
    std::lock_guard<std::mutex> lock(mu_);
    return set_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

/// A self-signed certificate (CN and SAN DNS:localhost) and its key, PEM-encoded.
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~TestCert() {
    if (cert) X509_free(cert);
    if (key) EVP_PKEY_free(key);
  }
};

inline std::unique_ptr<TestCert> make_self_signed_cert(const char* san = "DNS:localhost") {
  auto out = std::make_unique<TestCert>();
  out->key = EVP_EC_gen("P-256");
  if (!out->key) return nullptr;
  X509* x = X509_new();
  out->cert = x;
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, out->key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, san},
                            {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (!ext) return nullptr;
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, out->key, EVP_sha256()) == 0) return nullptr;
  auto to_pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string s(data, static_cast<size_t>(n));
    BIO_free(bio);
    return s;
  };
  out->cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
  out->key_pem = to_pem(
      [&](BIO* b) {
        PEM_write_bio_PrivateKey(b, out->key, nullptr, nullptr, 0, nullptr, nullptr);
      });
  return out;
}

/// A parsed request as the peer saw it.
struct RawRequest {
  std::string method;
  std::string target;
  std::string version;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

/// A parsed response as the peer saw it.
struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::vector<std::string> chunks;  // chunked bodies: each chunk's data
};

/// One accepted (server side) or connected (client side) blocking connection, optionally TLS.
class Peer {
 public:
  Peer(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~Peer() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  int fd() const { return fd_; }
  SSL* ssl() const { return ssl_; }

  bool write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                       : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  /// Read some bytes into `pending_`; false on EOF, error or timeout.
  bool fill() {
    char buf[8192];
    ssize_t n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }

  /// Read one request (head + content-length body). nullopt on EOF/timeout/garbage.
  std::optional<RawRequest> read_request() {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    RawRequest r;
    std::string head = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    size_t s1 = first.find(' '), s2 = first.rfind(' ');
    if (s1 == std::string::npos || s2 == s1) return std::nullopt;
    r.method = first.substr(0, s1);
    r.target = first.substr(s1 + 1, s2 - s1 - 1);
    r.version = first.substr(s2 + 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        r.headers[name] = line.substr(v);
      }
      pos = e + 2;
    }
    size_t len = 0;
    if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
      len = std::stoul(it->second);
    }
    while (pending_.size() < len) {
      if (!fill()) return std::nullopt;
    }
    r.body = pending_.substr(0, len);
    pending_.erase(0, len);
    return r;
  }

  /// Read one response: head, then a content-length, chunked (each chunk kept) or until-close
  /// body. nullopt on EOF before a complete response / timeout / garbage.
  std::optional<RawResponse> read_response();
  /// Read only the response head.
  std::optional<RawResponse> read_head();
  /// Read one chunk of a chunked body; "" for the last chunk.
  std::optional<std::string> read_chunk();

  /// Wait until the other side closes (true) or 10 s pass / unexpected bytes arrive (false).
  bool wait_closed() {
    char buf[256];
    for (;;) {
      errno = 0;
      ssize_t n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) {
        if (!ssl_ && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        if (ssl_) {
          // SSL_read reports a close as an error; distinguish a timeout by the socket errno.
          return !(errno == EAGAIN || errno == EWOULDBLOCK);
        }
        return true;  // reset counts as closed
      }
    }
  }

  void close_now() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }

  std::string pending_;

 private:
  int fd_;
  SSL* ssl_;
};

inline std::optional<RawResponse> Peer::read_head() {
  size_t end;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  RawResponse r;
  std::string head = pending_.substr(0, end);
  pending_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t s1 = first.find(' ');
  if (s1 == std::string::npos) return std::nullopt;
  r.status = std::atoi(first.c_str() + s1 + 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      r.headers[name] = line.substr(v);
    }
    pos = e + 2;
  }
  return r;
}

inline std::optional<std::string> Peer::read_chunk() {
  size_t le;
  while ((le = pending_.find("\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  size_t size = std::stoul(pending_.substr(0, le), nullptr, 16);
  pending_.erase(0, le + 2);
  while (pending_.size() < size + 2) {
    if (!fill()) return std::nullopt;
  }
  std::string data = pending_.substr(0, size);
  pending_.erase(0, size + 2);
  return data;
}

inline std::optional<RawResponse> Peer::read_response() {
  auto head = read_head();
  if (!head) return std::nullopt;
  RawResponse r = std::move(*head);
  if (r.status >= 100 && r.status < 200) return r;  // interim: no body
  if (r.headers.count("transfer-encoding")) {
    for (;;) {
      auto c = read_chunk();
      if (!c) return std::nullopt;
      if (c->empty()) return r;
      r.chunks.push_back(*c);
      r.body += *c;
    }
  }
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    size_t len = std::stoul(it->second);
    while (pending_.size() < len) {
      if (!fill()) return std::nullopt;
    }
    r.body = pending_.substr(0, len);
    pending_.erase(0, len);
    return r;
  }
  while (fill()) {
  }
  r.body = std::move(pending_);
  pending_.clear();
  return r;
}

inline void set_timeouts(int fd, int seconds = 10) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/// Bind a listening socket on 127.0.0.1:0. Returns fd and fills port.
inline int listen_loopback(uint16_t& port, int backlog = 64) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, backlog) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

/// Connect a blocking client socket to 127.0.0.1:port (with 10 s timeouts).
inline int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  set_timeouts(fd);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Scripted server: runs `script(peer, index)` for every accepted connection on its own thread.
class ScriptServer {
 public:
  using Script = std::function<void(Peer&, int index)>;

  explicit ScriptServer(Script script, const TestCert* cert = nullptr)
      : script_(std::move(script)) {
    if (cert) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate(ctx_, cert->cert);
      SSL_CTX_use_PrivateKey(ctx_, cert->key);
    }
    fd_ = listen_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~ScriptServer() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    int wake = connect_loopback(port_);  // unblocks accept()
    if (acceptor_.joinable()) acceptor_.join();
    if (wake >= 0) ::close(wake);
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
    ::close(fd_);
    if (ctx_) SSL_CTX_free(ctx_);
    ctx_ = nullptr;
  }

  uint16_t port() const { return port_; }
  int accepts() const { return accepts_.load(); }
  int tls_failures() const { return tls_failures_.load(); }
  std::string last_sni() {
    std::lock_guard<std::mutex> lock(mu_);
    return sni_;
  }

 private:
  void accept_loop() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (stopping_.load()) {
        if (c >= 0) ::close(c);
        return;
      }
      if (c < 0) continue;
      const int index = accepts_.fetch_add(1);
      set_timeouts(c);
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, c, index] { serve(c, index); });
    }
  }

  void serve(int c, int index) {
    SSL* ssl = nullptr;
    if (ctx_) {
      ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) != 1) {
        tls_failures_.fetch_add(1);
        SSL_free(ssl);
        ::close(c);
        return;
      }
      const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      std::lock_guard<std::mutex> lock(mu_);
      sni_ = sni ? sni : "";
    }
    Peer peer(c, ssl);
    script_(peer, index);
  }

  Script script_;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0};
  std::atomic<int> tls_failures_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::string sni_;
};

/// "HTTP/1.1 200 OK" response with a content-length body.
inline std::string full_response(int status, std::string_view body,
                                 std::string_view extra_headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\ncontent-type: text/plain\r\n";
  out += extra_headers;
  out += "content-length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

inline std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

}  // namespace openrain::testing_net
