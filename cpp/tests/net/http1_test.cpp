#include "net/http1.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace openrain::net::http1 {
namespace {

ParseStatus req(std::string_view wire, RequestHead& h, std::size_t limit = 64 * 1024) {
  std::size_t scanned = 0;
  return parse_request_head(wire, limit, h, scanned);
}

ParseStatus res(std::string_view wire, ResponseHead& h, bool head_request = false) {
  std::size_t scanned = 0;
  return parse_response_head(wire, 64 * 1024, head_request, h, scanned);
}

TEST(Http1Request, ParsesLineFieldsAndLengthFraming) {
  const std::string wire =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type:  application/json \r\n"
      "Content-Length: 12\r\n\r\n{\"model\":1}X";
  RequestHead h;
  ASSERT_EQ(req(wire, h), ParseStatus::Complete);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.target, "/v1/chat/completions?x=1");
  EXPECT_EQ(h.version, 11u);
  ASSERT_EQ(h.fields.size(), 3u);
  EXPECT_EQ(h.fields[1].name, "Content-Type");
  EXPECT_EQ(h.fields[1].value, "application/json");
  EXPECT_EQ(h.field("content-type"), "application/json");
  EXPECT_EQ(h.framing, Framing::Length);
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_FALSE(h.expect_continue);
  EXPECT_EQ(wire.substr(h.head_bytes), "{\"model\":1}X");
}

TEST(Http1Request, KeepAliveFollowsVersionAndConnection) {
  RequestHead h;
  ASSERT_EQ(req("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_FALSE(h.keep_alive);
  ASSERT_EQ(req("GET / HTTP/1.0\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_EQ(h.version, 10u);
  EXPECT_FALSE(h.keep_alive);
  ASSERT_EQ(req("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_TRUE(h.keep_alive);
  ASSERT_EQ(req("GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n", h),
            ParseStatus::Complete);
  EXPECT_FALSE(h.keep_alive);
  ASSERT_EQ(req("GET / HTTP/1.1\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(h.framing, Framing::None);
}

TEST(Http1Request, ExpectContinueAndChunked) {
  RequestHead h;
  ASSERT_EQ(req("POST /e HTTP/1.1\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n",
                h),
            ParseStatus::Complete);
  EXPECT_TRUE(h.expect_continue);
  EXPECT_EQ(h.framing, Framing::Chunked);
}

TEST(Http1Request, SkipsEmptyLinesBeforeTheRequestLine) {
  RequestHead h;
  const std::string wire = "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\nrest";
  ASSERT_EQ(req(wire, h), ParseStatus::Complete);
  EXPECT_EQ(h.target, "/x");
  EXPECT_EQ(wire.substr(h.head_bytes), "rest");
}

TEST(Http1Request, ByteByByteGivesTheSameResult) {
  const std::string wire =
      "PUT /a%20b HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc";
  const std::size_t head_len = wire.size() - 3;
  RequestHead h;
  std::size_t scanned = 0;
  for (std::size_t n = 0; n < head_len; ++n) {
    ASSERT_EQ(parse_request_head(std::string_view(wire).substr(0, n), 1024, h, scanned),
              ParseStatus::Incomplete)
        << n;
    EXPECT_LE(scanned, n);
  }
  ASSERT_EQ(parse_request_head(wire, 1024, h, scanned), ParseStatus::Complete);
  EXPECT_EQ(h.method, "PUT");
  EXPECT_EQ(h.field("x-a"), "1");
  EXPECT_EQ(h.head_bytes, head_len);
  EXPECT_EQ(h.content_length, 3u);
}

TEST(Http1Request, RejectsSmugglingShapesAndBadSyntax) {
  const std::pair<const char*, ParseStatus> cases[] = {
      {"GET / HTTP/1.1\nHost: a\r\n\r\n", ParseStatus::Malformed},               // bare LF
      {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", ParseStatus::Malformed},            // space before :
      {"GET / HTTP/1.1\r\nX-A: a\r\n  folded\r\n\r\n", ParseStatus::Malformed},  // obs-fold
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
       ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n", ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
       ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", ParseStatus::Malformed},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ParseStatus::Malformed},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       ParseStatus::BadTransferCoding},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
       ParseStatus::BadTransferCoding},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       ParseStatus::BadTransferCoding},
      {"GET / HTTP/2.0\r\n\r\n", ParseStatus::BadVersion},
      {"GET / HTTX/1.1\r\n\r\n", ParseStatus::Malformed},
      {"GET /  HTTP/1.1\r\n\r\n", ParseStatus::Malformed},
      {"GET\r\n\r\n", ParseStatus::Malformed},
      {"G(T / HTTP/1.1\r\n\r\n", ParseStatus::Malformed},
      {"GET /\x01 HTTP/1.1\r\n\r\n", ParseStatus::Malformed},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", ParseStatus::Malformed},
      {"GET / HTTP/1.1\r\n: empty-name\r\n\r\n", ParseStatus::Malformed},
      {"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", ParseStatus::Malformed},  // bare CR
  };
  for (const auto& [wire, want] : cases) {
    RequestHead h;
    EXPECT_EQ(req(wire, h), want) << wire;
  }
  RequestHead h;
  const std::string nul = std::string("GET / HTTP/1.1\r\nX: a") + '\0' + "b\r\n\r\n";
  EXPECT_EQ(req(nul, h), ParseStatus::Malformed);
}

TEST(Http1Request, RepeatedIdenticalContentLengthIsOneValue) {
  RequestHead h;
  ASSERT_EQ(req("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", h),
            ParseStatus::Complete);
  EXPECT_EQ(h.content_length, 5u);
}

TEST(Http1Request, HeadOverTheLimit) {
  RequestHead h;
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(200, 'a') + "\r\n\r\n";
  EXPECT_EQ(req(big, h, 100), ParseStatus::HeadTooLarge);
  EXPECT_EQ(req(std::string_view(big).substr(0, 150), h, 100), ParseStatus::HeadTooLarge);
  EXPECT_EQ(req(std::string_view(big).substr(0, 50), h, 100), ParseStatus::Incomplete);
  EXPECT_EQ(req(big, h, big.size()), ParseStatus::Complete);
}

TEST(Http1Response, StatusReasonAndFraming) {
  ResponseHead h;
  ASSERT_EQ(res("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", h), ParseStatus::Complete);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.reason, "OK");
  EXPECT_EQ(h.framing, Framing::Length);
  EXPECT_EQ(h.content_length, 2u);
  EXPECT_TRUE(h.keep_alive);

  ASSERT_EQ(res("HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\n\r\n", h),
            ParseStatus::Complete);
  EXPECT_EQ(h.status, 429);
  EXPECT_EQ(h.reason, "Too Many Requests");
  EXPECT_EQ(h.framing, Framing::Chunked);

  ASSERT_EQ(res("HTTP/1.1 200\r\n\r\n", h), ParseStatus::Complete);  // no reason, no length
  EXPECT_EQ(h.reason, "");
  EXPECT_EQ(h.framing, Framing::UntilClose);
  EXPECT_FALSE(h.keep_alive);

  ASSERT_EQ(res("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", h),
            ParseStatus::Complete);
  EXPECT_EQ(h.framing, Framing::None);
  ASSERT_EQ(res("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", h, /*head_request=*/true),
            ParseStatus::Complete);
  EXPECT_EQ(h.framing, Framing::None);
  ASSERT_EQ(res("HTTP/1.1 100 Continue\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_EQ(h.status, 100);
  EXPECT_EQ(h.framing, Framing::None);
  ASSERT_EQ(res("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_EQ(h.framing, Framing::None);
  EXPECT_TRUE(h.keep_alive);
  ASSERT_EQ(res("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", h), ParseStatus::Complete);
  EXPECT_FALSE(h.keep_alive);
}

TEST(Http1Response, TransferEncodingWinsOverLengthAndClosesAfter) {
  ResponseHead h;
  ASSERT_EQ(res("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", h),
            ParseStatus::Complete);
  EXPECT_EQ(h.framing, Framing::Chunked);
  EXPECT_FALSE(h.keep_alive);
}

TEST(Http1Response, RejectsBadStatusLines) {
  const char* bad[] = {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
                       "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n",
                       "ICY 200 OK\r\n\r\n",     "HTTP/1.1 099 Low\r\n\r\n",
                       "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"};
  for (const char* wire : bad) {
    ResponseHead h;
    EXPECT_EQ(res(wire, h), ParseStatus::Malformed) << wire;
  }
  ResponseHead h;
  EXPECT_EQ(res("HTTP/3.0 200 OK\r\n\r\n", h), ParseStatus::BadVersion);
}

/// Decode `wire` split at the given cut points; returns the payload or "<malformed>".
std::string decode(std::string_view wire, const std::vector<std::size_t>& cuts,
                   std::size_t* leftover = nullptr) {
  ChunkedDecoder d;
  std::string out;
  std::string pending;  // bytes fed but not consumed (after Done)
  std::size_t prev = 0;
  std::vector<std::size_t> points = cuts;
  points.push_back(wire.size());
  for (std::size_t p : points) {
    pending.append(wire.substr(prev, p - prev));
    prev = p;
    std::size_t used = 0;
    const auto r = d.feed(pending, used, [&](std::string_view piece) { out.append(piece); });
    if (r == ChunkedDecoder::Result::Malformed) return "<malformed>";
    pending.erase(0, used);
    if (r == ChunkedDecoder::Result::Done) break;
  }
  if (!d.done()) return "<incomplete>";
  if (leftover) *leftover = pending.size() + (wire.size() - prev);
  return out;
}

TEST(Http1Chunked, WholeByteByByteAndRandomSplits) {
  const std::string wire =
      "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
  const std::string want = "hello 0123456789";
  std::size_t leftover = 0;
  EXPECT_EQ(decode(wire, {}, &leftover), want);
  EXPECT_EQ(leftover, 4u);  // "NEXT" is not part of the body
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < wire.size(); ++i) every.push_back(i);
  EXPECT_EQ(decode(wire, every), want);
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < wire.size(); ++i) {
      if (rng() % 4 == 0) cuts.push_back(i);
    }
    EXPECT_EQ(decode(wire, cuts), want) << round;
  }
}

TEST(Http1Chunked, UpperCaseHexAndLastChunkWithoutTrailers) {
  EXPECT_EQ(decode("1F\r\n" + std::string(31, 'x') + "\r\n0\r\n\r\n", {}), std::string(31, 'x'));
  EXPECT_EQ(decode("0\r\n\r\n", {}), "");
}

TEST(Http1Chunked, RejectsMalformedFraming) {
  const char* bad[] = {
      "\r\n",                          // no size
      "g\r\nx\r\n0\r\n\r\n",           // not hex
      "5\r\nhelloX\r\n0\r\n\r\n",      // data longer than announced
      "5\nhello\r\n0\r\n\r\n",         // bare LF after size
      "1000000000000000\r\n",          // 16 hex digits: would overflow the bound
      "-1\r\n",                        // sign
      "0\r\nX: 1\n\r\n",               // bare LF in trailer
  };
  for (const char* wire : bad) EXPECT_EQ(decode(wire, {}), "<malformed>") << wire;
  EXPECT_EQ(decode("5\r\nhel", {}), "<incomplete>");
  EXPECT_EQ(decode("0\r\n" + std::string(20000, 'a') + "\r\n\r\n", {}), "<malformed>");
}

}  // namespace
}  // namespace openrain::net::http1
