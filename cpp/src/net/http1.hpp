// net/http1.hpp — a small, strict HTTP/1.1 message-head parser and chunked-body decoder.
//
// Owns: parsing of request heads (server side) and response heads (upstream client side) from a
// contiguous byte buffer into views of that buffer, the framing decision of RFC 9112 §6 (content
// length, chunked, close-delimited, bodyless), keep-alive and Expect: 100-continue, and an
// incremental decoder for chunked bodies that yields the payload in place (no copy). It replaces
// Beast's parser on the hot path: one pass over the head, no per-field allocation, no buffer
// sequences. It does no I/O; the server and the upstream client drive it.
// Rules that protect against request smuggling are enforced, not tolerated: a field name with
// whitespace before the colon, obsolete line folding, bare CR/LF or NUL in a field, both
// Transfer-Encoding and Content-Length, conflicting or malformed Content-Length values, and any
// transfer coding other than a final "chunked" are errors.
// Thread-safety: plain functions and values; a ChunkedDecoder belongs to one message.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace openrain::net::http1 {

enum class ParseStatus : uint8_t {
  Complete,         // the head ended; `head_bytes` says where
  Incomplete,       // need more bytes (and the head limit is not reached)
  HeadTooLarge,     // no end of head within the limit (a request: 431)
  Malformed,        // syntax or framing error (400 / an upstream protocol error)
  BadVersion,       // not HTTP/1.0 or HTTP/1.1 (505)
  BadTransferCoding,  // a transfer coding other than a final "chunked" (501)
};

struct Field {
  std::string_view name;   // as received (case preserved)
  std::string_view value;  // leading and trailing whitespace removed
};

/// How the body of a message is delimited.
enum class Framing : uint8_t { None, Length, Chunked, UntilClose };

/// What both heads have in common.
struct MessageHead {
  unsigned version = 11;  // 10 or 11
  std::vector<Field> fields;
  Framing framing = Framing::None;
  uint64_t content_length = 0;  // Framing::Length
  bool keep_alive = true;
  std::size_t head_bytes = 0;  // bytes of the head, including the empty line

  /// First value of field `name` (case-insensitive), or an empty view.
  std::string_view field(std::string_view name) const;
};

struct RequestHead : MessageHead {
  std::string_view method;
  std::string_view target;
  bool expect_continue = false;
};

struct ResponseHead : MessageHead {
  int status = 0;
  std::string_view reason;
};

/// Parse a request head at the start of `buf`. Views in `out` point into `buf`. A request
/// without Content-Length or Transfer-Encoding has no body (Framing::None).
/// `scanned` (in/out, start at 0): how far earlier calls on the same growing buffer already
/// checked line endings, so a head that trickles in byte by byte is not rescanned from the start.
ParseStatus parse_request_head(std::string_view buf, std::size_t head_limit, RequestHead& out,
                               std::size_t& scanned);

/// Parse a response head at the start of `buf` (same conventions). `head_request`: the request
/// was HEAD, so the response has no body whatever its fields say. 1xx heads parse as Complete
/// with Framing::None; the caller skips them (except 101).
ParseStatus parse_response_head(std::string_view buf, std::size_t head_limit, bool head_request,
                                ResponseHead& out, std::size_t& scanned);

/// Incremental chunked-body decoder. feed() consumes bytes and calls `sink(std::string_view)`
/// for each payload piece, in place. Chunk extensions and trailer fields are skipped.
class ChunkedDecoder {
 public:
  enum class Result : uint8_t { NeedMore, Done, Malformed };

  /// Decode from `in`; `consumed` is set to the bytes used. Returns Done once the last chunk
  /// and the trailer section have been read (bytes after that are not consumed).
  template <class Sink>
  Result feed(std::string_view in, std::size_t& consumed, Sink&& sink);

  bool done() const { return state_ == State::Done; }

 private:
  enum class State : uint8_t { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done };
  Result step_control(char c);  // one byte of the framing around the data

  State state_ = State::Size;
  uint64_t remaining_ = 0;  // of the current chunk's data / size being accumulated
  unsigned size_digits_ = 0;
  std::size_t line_bytes_ = 0;  // of the current extension or trailer line (bounded)
  bool trailer_line_empty_ = true;
};

template <class Sink>
ChunkedDecoder::Result ChunkedDecoder::feed(std::string_view in, std::size_t& consumed,
                                            Sink&& sink) {
  std::size_t i = 0;
  while (i < in.size()) {
    if (state_ == State::Done) break;
    if (state_ == State::Data) {
      const std::size_t take =
          static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size() - i));
      sink(in.substr(i, take));
      i += take;
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::DataCr;
      continue;
    }
    const Result r = step_control(in[i]);
    ++i;
    if (r == Result::Malformed) {
      consumed = i;
      return r;
    }
  }
  consumed = i;
  return state_ == State::Done ? Result::Done : Result::NeedMore;
}

/// A contiguous read buffer for one connection: bytes received but not yet consumed, and room
/// to receive more. It never zero-fills, compacts only when it must, and grows up to `limit`.
class ReadBuffer {
 public:
  explicit ReadBuffer(std::size_t limit, std::size_t initial = 0) : limit_(limit) {
    if (initial > 0) grow_to(initial);
  }

  std::string_view view() const { return {data_.get() + begin_, end_ - begin_}; }
  char* data() { return data_.get() + begin_; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }

  void consume(std::size_t n) {
    begin_ += std::min(n, size());
    if (begin_ == end_) begin_ = end_ = 0;
  }

  /// Writable room for up to `want` bytes (at least one byte unless the limit is reached, in
  /// which case the span is empty). Invalidates views.
  std::span<char> prepare(std::size_t want) {
    if (cap_ - end_ < want && begin_ > 0) {  // compact first
      const std::size_t n = size();
      if (n > 0) std::memmove(data_.get(), data_.get() + begin_, n);
      begin_ = 0;
      end_ = n;
    }
    if (cap_ - end_ < want && cap_ < limit_) {
      grow_to(std::min(limit_, std::max(cap_ * 2, end_ + want)));
    }
    return {data_.get() + end_, std::min(want, cap_ - end_)};
  }
  void commit(std::size_t n) { end_ += std::min(n, cap_ - end_); }

 private:
  void grow_to(std::size_t cap) {
    std::unique_ptr<char[]> next(new char[cap]);  // default-initialised: no memset
    const std::size_t n = size();
    if (n > 0) std::memcpy(next.get(), data_.get() + begin_, n);
    data_ = std::move(next);
    cap_ = cap;
    begin_ = 0;
    end_ = n;
  }

  std::unique_ptr<char[]> data_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t limit_;
};

}  // namespace openrain::net::http1
