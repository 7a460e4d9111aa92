// bench/loadgen.cpp — orload: the small HTTP/1.1 load generator behind bench/run.py.
//
// Why it exists: wrk (Debian) only does closed loops, and wrk2 / vegeta / k6 / oha are not packaged
// for Debian 12. This tool adds what the benchmark needs and wrk lacks:
//   * open loop (--rate R): request i is due at t0 + i/R, whatever happened before. A due request
//     takes an idle keep-alive connection, else opens a new one (up to --max-conns), else waits
//     in a backlog. Latency is measured from the DUE time, not from the moment it could be sent,
//     so a stalled server is charged for every request it delayed (no coordinated omission).
//   * closed loop (--rate 0 --conns N): N connections, each sends the next request as soon as the
//     previous one completed; latency is measured from the send.
//   * streaming (--stream): every SSE frame boundary ("\n\n", CRs ignored) in the de-chunked body
//     is time-stamped at the read that completed it; reported: time to first frame (from the due
//     time), gaps between consecutive frames, and span (first frame → last frame) per stream.
//   * validation: a response counts as OK only with a 2xx status and every --expect substring in
//     its body; anything else (status, socket error, timeout, missing text) is an error.
// Single-threaded, epoll + timerfd (microsecond schedule, no busy polling). Connections are opened
// with a blocking connect (loopback only). Output: one JSON object on stdout.
//
// Usage: orload --port P [--host 127.0.0.1] --path /v1/chat/completions --body-file F
//               [--header "k: v"]... [--rate R | --conns N] [--max-conns M] [--duration S]
//               [--warmup S] [--stream] [--expect TEXT]... [--timeout S]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "orload: %s\n", msg.c_str());
  std::exit(2);
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/";
  std::string body;
  std::vector<std::string> headers;
  double rate = 0;        // 0 = closed loop
  int conns = 1;          // closed loop: connections; open loop: pre-opened connections
  int max_conns = 0;      // open loop: cap (default 4 * conns, at least 64)
  double duration = 5;    // measured window, seconds
  double warmup = 0;      // seconds before the window (same load, not recorded)
  bool stream = false;
  std::vector<std::string> expect;
  double timeout = 10;    // per request, seconds
};

enum class Phase { Head, Length, ChunkSize, ChunkData, ChunkCrlf, Trailer, UntilClose };

struct Conn {
  int fd = -1;
  bool busy = false;
  size_t written = 0;
  int64_t due = 0, sent = 0;
  // response parser
  std::string in;
  size_t pos = 0;
  Phase phase = Phase::Head;
  int status = 0;
  int64_t remaining = 0;
  bool close_after = false;
  std::string body;
  bool prev_nl = false;
  std::vector<int64_t> frames;  // arrival time of each SSE frame boundary
};

struct Stats {
  std::vector<double> latency_us, ttft_us, gap_us, span_us, frames;
  uint64_t ok = 0, err_status = 0, err_socket = 0, err_timeout = 0, err_validation = 0;
  uint64_t sent = 0, reconnects = 0, backlog_max = 0, conns_max = 0;
};

class Loadgen {
 public:
  explicit Loadgen(Options o) : o_(std::move(o)) {
    std::ostringstream r;
    r << "POST " << o_.path << " HTTP/1.1\r\nHost: " << o_.host << ":" << o_.port
      << "\r\nContent-Type: application/json\r\nContent-Length: " << o_.body.size() << "\r\n";
    for (const auto& h : o_.headers) r << h << "\r\n";
    r << "\r\n" << o_.body;
    request_ = r.str();
    std::memset(&addr_, 0, sizeof addr_);
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr) != 1) die("bad --host (IPv4 only)");
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (ep_ < 0 || tfd_ < 0) die("epoll/timerfd");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;  // nullptr = the timer
    epoll_ctl(ep_, EPOLL_CTL_ADD, tfd_, &ev);
  }

  void run() {
    const bool open = o_.rate > 0;
    int initial = std::max(1, o_.conns);
    max_conns_ = open ? (o_.max_conns > 0 ? o_.max_conns : std::max(64, 4 * initial)) : initial;
    for (int i = 0; i < initial; ++i) {
      Conn* c = new_conn();
      if (!c) die("cannot connect to " + o_.host + ":" + std::to_string(o_.port));
      idle_.push_back(c);
    }
    t0_ = now_ns();
    win_start_ = t0_ + static_cast<int64_t>(o_.warmup * 1e9);
    end_ = win_start_ + static_cast<int64_t>(o_.duration * 1e9);
    const int64_t timeout_ns = static_cast<int64_t>(o_.timeout * 1e9);
    uint64_t total = open ? static_cast<uint64_t>(std::llround((o_.warmup + o_.duration) * o_.rate)) : 0;
    const double interval_ns = open ? 1e9 / o_.rate : 0;
    uint64_t next = 0;

    if (!open) {
      while (!idle_.empty()) {
        Conn* c = idle_.back();
        idle_.pop_back();
        start(c, now_ns());
      }
    }
    std::vector<epoll_event> evs(256);
    int64_t last_timeout_scan = t0_;
    for (;;) {
      int64_t now = now_ns();
      if (open) {
        while (next < total && t0_ + static_cast<int64_t>(static_cast<double>(next) * interval_ns) <= now) {
          backlog_.push_back(t0_ + static_cast<int64_t>(static_cast<double>(next) * interval_ns));
          ++next;
        }
        assign();
        if (next < total) arm(t0_ + static_cast<int64_t>(static_cast<double>(next) * interval_ns));
      }
      bool done_sending = open ? next >= total : now >= end_;
      if (done_sending && backlog_.empty() && busy_count() == 0) break;
      if (now - last_timeout_scan > 50000000LL) {
        last_timeout_scan = now;
        std::vector<Conn*> late;
        for (auto& up : conns_) {
          if (up->fd >= 0 && up->busy && now - up->sent > timeout_ns) late.push_back(up.get());
        }
        for (Conn* c : late) {
          if (recorded(c->due)) ++st_.err_timeout;
          drop(c);
          reopen_after_loss();
        }
        if (done_sending && now > end_ + timeout_ns + 1000000000LL) break;  // hard stop
      }
      int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 50);
      if (n < 0) {
        if (errno == EINTR) continue;
        die("epoll_wait");
      }
      for (int i = 0; i < n; ++i) {
        if (evs[i].data.ptr == nullptr) {
          uint64_t x;
          while (read(tfd_, &x, sizeof x) > 0) {}
          continue;
        }
        Conn* c = static_cast<Conn*>(evs[i].data.ptr);
        if (c->fd < 0) continue;
        if (evs[i].events & EPOLLOUT) on_writable(c);
        if (c->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) on_readable(c);
      }
    }
    actual_end_ = now_ns();
  }

  void report() const {
    auto pct = [](std::vector<double> v) {
      std::ostringstream s;
      if (v.empty()) return std::string("null");
      std::sort(v.begin(), v.end());
      auto at = [&](double p) {
        size_t idx = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
        return v[idx == 0 ? 0 : std::min(idx - 1, v.size() - 1)];
      };
      double sum = 0;
      for (double x : v) sum += x;
      s << "{\"n\":" << v.size() << ",\"mean\":" << sum / static_cast<double>(v.size())
        << ",\"p50\":" << at(50) << ",\"p90\":" << at(90) << ",\"p99\":" << at(99)
        << ",\"p999\":" << at(99.9) << ",\"max\":" << v.back() << ",\"min\":" << v.front() << "}";
      return s.str();
    };
    uint64_t errors = st_.err_status + st_.err_socket + st_.err_timeout + st_.err_validation;
    std::printf(
        "{\"mode\":\"%s\",\"offered_rps\":%.1f,\"duration_s\":%.3f,\"sent\":%llu,\"ok\":%llu,"
        "\"achieved_rps\":%.1f,\"errors\":%llu,\"err_status\":%llu,\"err_socket\":%llu,"
        "\"err_timeout\":%llu,\"err_validation\":%llu,\"reconnects\":%llu,\"conns_max\":%llu,"
        "\"backlog_max\":%llu,\"latency_us\":%s,\"ttft_us\":%s,\"gap_us\":%s,\"span_us\":%s,"
        "\"frames\":%s}\n",
        o_.rate > 0 ? "open" : "closed", o_.rate, o_.duration,
        static_cast<unsigned long long>(st_.sent), static_cast<unsigned long long>(st_.ok),
        static_cast<double>(st_.ok) / o_.duration, static_cast<unsigned long long>(errors),
        static_cast<unsigned long long>(st_.err_status), static_cast<unsigned long long>(st_.err_socket),
        static_cast<unsigned long long>(st_.err_timeout),
        static_cast<unsigned long long>(st_.err_validation),
        static_cast<unsigned long long>(st_.reconnects), static_cast<unsigned long long>(st_.conns_max),
        static_cast<unsigned long long>(st_.backlog_max), pct(st_.latency_us).c_str(),
        pct(st_.ttft_us).c_str(), pct(st_.gap_us).c_str(), pct(st_.span_us).c_str(),
        pct(st_.frames).c_str());
  }

 private:
  bool recorded(int64_t due) const { return due >= win_start_ && due < end_; }

  size_t busy_count() const {
    size_t n = 0;
    for (const auto& c : conns_) n += (c->fd >= 0 && c->busy) ? 1 : 0;
    return n;
  }

  void arm(int64_t at) {
    itimerspec its{};
    its.it_value.tv_sec = at / 1000000000LL;
    its.it_value.tv_nsec = at % 1000000000LL;
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
    timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &its, nullptr);
  }

  Conn* new_conn() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) != 0) {
      close(fd);
      return nullptr;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    Conn* c = nullptr;
    for (auto& up : conns_) {
      if (up->fd < 0) { c = up.get(); break; }  // reuse a dead slot (keeps pointers stable)
    }
    if (!c) {
      conns_.push_back(std::make_unique<Conn>());
      c = conns_.back().get();
    }
    *c = Conn{};
    c->fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    st_.conns_max = std::max<uint64_t>(st_.conns_max, live_conns());
    return c;
  }

  uint64_t live_conns() const {
    uint64_t n = 0;
    for (const auto& c : conns_) n += c->fd >= 0 ? 1 : 0;
    return n;
  }

  void drop(Conn* c) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, c->fd, nullptr);
    close(c->fd);
    c->fd = -1;
    c->busy = false;
    idle_.erase(std::remove(idle_.begin(), idle_.end(), c), idle_.end());
  }

  // Open loop: give backlog entries to idle (or new) connections.
  void assign() {
    st_.backlog_max = std::max<uint64_t>(st_.backlog_max, backlog_.size());
    while (!backlog_.empty()) {
      Conn* c = nullptr;
      if (!idle_.empty()) {
        c = idle_.back();
        idle_.pop_back();
      } else if (live_conns() < static_cast<uint64_t>(max_conns_)) {
        c = new_conn();
        if (!c) {  // count as a socket error and drop the request
          if (recorded(backlog_.front())) ++st_.err_socket;
          backlog_.pop_front();
          continue;
        }
        ++st_.reconnects;
      } else {
        return;
      }
      int64_t due = backlog_.front();
      backlog_.pop_front();
      start(c, due);
    }
  }

  void start(Conn* c, int64_t due) {
    c->busy = true;
    c->due = due;
    c->sent = now_ns();
    c->written = 0;
    c->in.clear();
    c->pos = 0;
    c->phase = Phase::Head;
    c->status = 0;
    c->remaining = 0;
    c->close_after = false;
    c->body.clear();
    c->prev_nl = false;
    c->frames.clear();
    ++st_.sent;
    on_writable(c);
  }

  void on_writable(Conn* c) {
    while (c->busy && c->written < request_.size()) {
      ssize_t n = write(c->fd, request_.data() + c->written, request_.size() - c->written);
      if (n > 0) {
        c->written += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.ptr = c;
        epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev);
        return;
      }
      fail_socket(c);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev);
  }

  void fail_socket(Conn* c) {
    if (c->busy && recorded(c->due)) ++st_.err_socket;
    bool was_busy = c->busy;
    drop(c);
    if (!was_busy) return;
    reopen_after_loss();
  }

  // Keep the closed loop's connection count; the open loop reopens on demand in assign().
  void reopen_after_loss() {
    if (o_.rate > 0) return;
    if (now_ns() >= end_) return;
    Conn* n = new_conn();
    if (!n) return;
    ++st_.reconnects;
    start(n, now_ns());
  }

  void on_readable(Conn* c) {
    char buf[65536];
    for (;;) {
      ssize_t n = read(c->fd, buf, sizeof buf);
      if (n > 0) {
        int64_t t = now_ns();
        if (!c->busy) {  // unsolicited bytes: protocol error
          fail_socket(c);
          return;
        }
        c->in.append(buf, static_cast<size_t>(n));
        if (!parse(c, t)) return;  // completed or failed: c may have restarted
        continue;
      }
      if (n == 0) {  // peer closed
        if (c->busy && c->phase == Phase::UntilClose) {
          complete(c, now_ns());
          return;
        }
        fail_socket(c);
        return;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      fail_socket(c);
      return;
    }
  }

  void on_body(Conn* c, const char* p, size_t n, int64_t t) {
    if (c->body.size() < (4u << 20)) c->body.append(p, n);
    if (!o_.stream) return;
    for (size_t i = 0; i < n; ++i) {
      char ch = p[i];
      if (ch == '\r') continue;
      if (ch == '\n') {
        if (c->prev_nl) {
          c->frames.push_back(t);
          c->prev_nl = false;
        } else {
          c->prev_nl = true;
        }
      } else {
        c->prev_nl = false;
      }
    }
  }

  // Returns false when the connection's current response ended (completed or failed) so the
  // caller stops reading into it this round.
  bool parse(Conn* c, int64_t t) {
    for (;;) {
      const size_t avail = c->in.size() - c->pos;
      const char* p = c->in.data() + c->pos;
      switch (c->phase) {
        case Phase::Head: {
          size_t end = c->in.find("\r\n\r\n", c->pos);
          if (end == std::string::npos) {
            compact(c);
            return true;
          }
          if (!parse_head(c, std::string_view(p, end - c->pos))) {
            fail_socket(c);
            return false;
          }
          c->pos = end + 4;
          if (c->phase == Phase::Length && c->remaining == 0) return finish(c, t);
          break;
        }
        case Phase::Length: {
          size_t take = static_cast<size_t>(std::min<int64_t>(c->remaining, static_cast<int64_t>(avail)));
          on_body(c, p, take, t);
          c->pos += take;
          c->remaining -= static_cast<int64_t>(take);
          if (c->remaining == 0) return finish(c, t);
          compact(c);
          return true;
        }
        case Phase::UntilClose:
          on_body(c, p, avail, t);
          c->pos += avail;
          compact(c);
          return true;
        case Phase::ChunkSize: {
          size_t end = c->in.find("\r\n", c->pos);
          if (end == std::string::npos) {
            compact(c);
            return true;
          }
          char* stop = nullptr;
          std::string line(p, end - c->pos);
          long long size = std::strtoll(line.c_str(), &stop, 16);
          if (stop == line.c_str() || size < 0) {
            fail_socket(c);
            return false;
          }
          c->pos = end + 2;
          c->remaining = size;
          c->phase = size == 0 ? Phase::Trailer : Phase::ChunkData;
          break;
        }
        case Phase::ChunkData: {
          if (avail == 0) {
            compact(c);
            return true;
          }
          size_t take = static_cast<size_t>(std::min<int64_t>(c->remaining, static_cast<int64_t>(avail)));
          on_body(c, p, take, t);
          c->pos += take;
          c->remaining -= static_cast<int64_t>(take);
          if (c->remaining == 0) c->phase = Phase::ChunkCrlf;
          break;
        }
        case Phase::ChunkCrlf:
          if (avail < 2) {
            compact(c);
            return true;
          }
          c->pos += 2;
          c->phase = Phase::ChunkSize;
          break;
        case Phase::Trailer: {
          size_t end = c->in.find("\r\n", c->pos);
          if (end == std::string::npos) {
            compact(c);
            return true;
          }
          bool empty = end == c->pos;
          c->pos = end + 2;
          if (empty) return finish(c, t);
          break;
        }
      }
    }
  }

  void compact(Conn* c) {
    if (c->pos > 0) {
      c->in.erase(0, c->pos);
      c->pos = 0;
    }
  }

  static bool iequals_prefix(std::string_view line, std::string_view name) {
    if (line.size() < name.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      char a = line[i];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      if (a != name[i]) return false;
    }
    return true;
  }

  static std::string lower_trim(std::string_view v) {
    size_t b = 0, e = v.size();
    while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
    std::string s(v.substr(b, e - b));
    for (char& ch : s) if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
  }

  bool parse_head(Conn* c, std::string_view head) {
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
    c->status = std::atoi(std::string(head.substr(9, 3)).c_str());
    bool chunked = false, has_length = false;
    int64_t length = 0;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos) {
      size_t next = head.find("\r\n", pos + 2);
      std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? head.npos : next - pos - 2);
      if (iequals_prefix(line, "content-length:")) {
        has_length = true;
        length = std::atoll(std::string(line.substr(15)).c_str());
      } else if (iequals_prefix(line, "transfer-encoding:")) {
        chunked = lower_trim(line.substr(18)).find("chunked") != std::string::npos;
      } else if (iequals_prefix(line, "connection:")) {
        c->close_after = lower_trim(line.substr(11)) == "close";
      }
      pos = next;
    }
    if (chunked) {
      c->phase = Phase::ChunkSize;
    } else if (has_length || c->status == 204 || c->status == 304) {
      c->phase = Phase::Length;
      c->remaining = has_length ? length : 0;
    } else {
      c->phase = Phase::UntilClose;
      c->close_after = true;
    }
    return true;
  }

  bool finish(Conn* c, int64_t t) {
    c->pos = c->in.size();
    complete(c, t);
    return false;
  }

  void complete(Conn* c, int64_t t) {
    const bool rec = recorded(c->due);
    if (rec) {
      bool ok = c->status >= 200 && c->status < 300;
      if (!ok) {
        ++st_.err_status;
        if (st_.err_status <= 3) {
          std::fprintf(stderr, "orload: HTTP %d: %.300s\n", c->status, c->body.c_str());
        }
      } else {
        for (const auto& e : o_.expect) {
          if (c->body.find(e) == std::string::npos) {
            ok = false;
            ++st_.err_validation;
            if (st_.err_validation <= 3) {
              std::fprintf(stderr, "orload: body lacks \"%s\": %.300s\n", e.c_str(), c->body.c_str());
            }
            break;
          }
        }
      }
      if (ok) {
        ++st_.ok;
        st_.latency_us.push_back(static_cast<double>(t - c->due) / 1000.0);
        if (o_.stream) {
          st_.frames.push_back(static_cast<double>(c->frames.size()));
          if (!c->frames.empty()) {
            st_.ttft_us.push_back(static_cast<double>(c->frames.front() - c->due) / 1000.0);
            st_.span_us.push_back(static_cast<double>(c->frames.back() - c->frames.front()) / 1000.0);
            for (size_t i = 1; i < c->frames.size(); ++i) {
              st_.gap_us.push_back(static_cast<double>(c->frames[i] - c->frames[i - 1]) / 1000.0);
            }
          }
        }
      }
    }
    c->busy = false;
    if (c->close_after) {
      drop(c);
      reopen_after_loss_idle();
      return;
    }
    if (o_.rate > 0) {
      idle_.push_back(c);
      assign();
    } else if (now_ns() < end_) {
      start(c, now_ns());
    }
  }

  void reopen_after_loss_idle() {
    if (o_.rate > 0) {
      assign();
      return;
    }
    if (now_ns() >= end_) return;
    Conn* n = new_conn();
    if (!n) return;
    ++st_.reconnects;
    start(n, now_ns());
  }

  Options o_;
  std::string request_;
  sockaddr_in addr_{};
  int ep_ = -1, tfd_ = -1;
  int max_conns_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Conn*> idle_;
  std::deque<int64_t> backlog_;
  int64_t t0_ = 0, win_start_ = 0, end_ = 0, actual_end_ = 0;
  Stats st_;
};

Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--host") o.host = need(i);
    else if (a == "--port") o.port = std::atoi(need(i).c_str());
    else if (a == "--path") o.path = need(i);
    else if (a == "--body") o.body = need(i);
    else if (a == "--body-file") {
      std::ifstream f(need(i), std::ios::binary);
      if (!f) die("cannot read --body-file");
      std::ostringstream s;
      s << f.rdbuf();
      o.body = s.str();
    } else if (a == "--header") o.headers.push_back(need(i));
    else if (a == "--rate") o.rate = std::atof(need(i).c_str());
    else if (a == "--conns") o.conns = std::atoi(need(i).c_str());
    else if (a == "--max-conns") o.max_conns = std::atoi(need(i).c_str());
    else if (a == "--duration") o.duration = std::atof(need(i).c_str());
    else if (a == "--warmup") o.warmup = std::atof(need(i).c_str());
    else if (a == "--stream") o.stream = true;
    else if (a == "--expect") o.expect.push_back(need(i));
    else if (a == "--timeout") o.timeout = std::atof(need(i).c_str());
    else die("unknown option " + a);
  }
  if (o.port <= 0) die("--port is required");
  if (o.duration <= 0) die("--duration must be > 0");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  Loadgen lg(std::move(o));
  lg.run();
  lg.report();
  return 0;
}
