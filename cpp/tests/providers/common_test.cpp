// Tests for the shared provider helpers: image type sniffing and the sanitised snippet of a
// non-JSON upstream error body.
#include "providers/common.hpp"

#include <gtest/gtest.h>

#include <string>

namespace openrain::providers {
namespace {

// 1x1 images, base64 (the same bytes the Python pitfall tests use).
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
constexpr const char* kGif = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
constexpr const char* kWebp = "UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=";
constexpr const char* kJpeg = "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/";

TEST(SniffImageMediaType, MagicNumbers) {
  EXPECT_EQ(sniff_image_media_type(kPng), "image/png");
  EXPECT_EQ(sniff_image_media_type(kGif), "image/gif");
  EXPECT_EQ(sniff_image_media_type(kWebp), "image/webp");
  EXPECT_EQ(sniff_image_media_type(kJpeg), "image/jpeg");
}

TEST(SniffImageMediaType, UnknownShortOrNotBase64) {
  EXPECT_EQ(sniff_image_media_type(""), "");
  EXPECT_EQ(sniff_image_media_type("iVBO"), "");  // too short to hold the PNG signature
  EXPECT_EQ(sniff_image_media_type("UklGRiQAAABBVklG"), "");  // RIFF but AVI, not WEBP
  EXPECT_EQ(sniff_image_media_type("Qk0="), "");   // "BM": BMP is not one of the four
  EXPECT_EQ(sniff_image_media_type("!!!notbase64"), "");
}

TEST(SniffImageMediaType, UrlSafeAlphabetAndLineBreaks) {
  EXPECT_EQ(sniff_image_media_type("_9j_4AAQSkZJRg"), "image/jpeg");  // URL-safe "/9j/"
  EXPECT_EQ(sniff_image_media_type("iVBORw0K\r\nGgoAAAANSUhEUg"), "image/png");
}

TEST(ErrorBodySnippet, HtmlTitleWins) {
  EXPECT_EQ(error_body_snippet("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                               "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>"
                               "\r\n</body>\r\n</html>\r\n",
                               "sim-key"),
            "502 Bad Gateway");
}

TEST(ErrorBodySnippet, TagsScriptsAndWhitespaceRemoved) {
  EXPECT_EQ(error_body_snippet("<html><body><script>var k='x';</script><style>p{}</style>"
                               "<h1>Service\n\n  Unavailable</h1><p>try again</p></body></html>",
                               ""),
            "Service Unavailable try again");
  EXPECT_EQ(error_body_snippet("upstream connect error or disconnect/reset before headers", ""),
            "upstream connect error or disconnect/reset before headers");
  EXPECT_EQ(error_body_snippet("   \r\n<html></html>", ""), "");
  EXPECT_EQ(error_body_snippet("caf\xc3\xa9 \x01 ok", ""), "caf ok");  // printable ASCII only
}

TEST(ErrorBodySnippet, NeverShowsTheKeyOrKeyLikeTokens) {
  const std::string key = "sk-ant-api03-Secret_0123456789abcdef";
  // The key echoed in the title, split by a tag, and in a URL query.
  std::string page = "<html><head><title>Bad key " + key + "</title></head></html>";
  std::string s = error_body_snippet(page, key);
  EXPECT_EQ(s.find("Secret"), std::string::npos) << s;
  EXPECT_EQ(s, "Bad key [redacted]");
  std::string split = "<p>key sk-ant-api03-<b>Secret_0123456789abcdef</b> rejected</p>";
  s = error_body_snippet(split, key);
  EXPECT_EQ(s.find("Secret_0123"), std::string::npos) << s;
  s = error_body_snippet("GET /v1beta/models/x:generateContent?key=AIzaSyD0123456789abcdefghijklmnop was "
                         "not found",
                         "short");
  EXPECT_EQ(s.find("AIza"), std::string::npos) << s;
  EXPECT_NE(s.find("not found"), std::string::npos) << s;
  // A short key still goes; ordinary long words stay.
  EXPECT_EQ(error_body_snippet("denied for sim-key here", "sim-key"), "denied for [redacted] here");
  EXPECT_EQ(error_body_snippet("internationalization problem", ""), "internationalization problem");
  s = error_body_snippet("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc", "");
  EXPECT_EQ(s.find("eyJhbGciOiJIUzI1NiJ9"), std::string::npos) << s;
}

TEST(ErrorBodySnippet, TruncatedAfterMasking) {
  std::string body(500, 'a');
  body += " tail";
  std::string s = error_body_snippet(body, "", 40);
  EXPECT_EQ(s.size(), 40u);
  EXPECT_EQ(s.substr(37), "...");
  // A key right at the cut is masked before cutting, so no prefix of it can leak.
  const std::string key = "k3y-0123456789-ABCDEFGHIJ";
  std::string at_cut = std::string(30, 'x') + " " + key;
  s = error_body_snippet(at_cut, key, 40);
  EXPECT_EQ(s.find("k3y-0"), std::string::npos) << s;
}

}  // namespace
}  // namespace openrain::providers
