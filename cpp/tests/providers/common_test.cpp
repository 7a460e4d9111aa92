// Tests for the shared provider helpers: image type sniffing, the one secret scrubber and the
// sanitised snippet of a non-JSON upstream error body.
#include "providers/common.hpp"

#include <gtest/gtest.h>

#include <string>

#include "json/reader.hpp"
#include "testing/event_recorder.hpp"

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

TEST(ScrubSecrets, TheConfiguredKeyAnywhere) {
  EXPECT_EQ(scrub_secrets("my-local-key-1 leaked, again:my-local-key-1.", "my-local-key-1"),
            "[redacted] leaked, again:[redacted].");
  EXPECT_EQ(scrub_secrets("denied for sim-key here", "sim-key"), "denied for [redacted] here");
  // Keys shorter than 4 bytes are not searched for (they would eat ordinary words).
  EXPECT_EQ(scrub_secrets("abc is fine", "abc"), "abc is fine");
}

TEST(ScrubSecrets, KeyShapedTokens) {
  // OpenAI (incl. project keys and partly masked echoes), Anthropic, Google, Groq, xAI.
  EXPECT_EQ(scrub_secrets("Incorrect API key provided: sk-proj-AbCdEf123456*****wxyz.", ""),
            "Incorrect API key provided: [redacted].");
  EXPECT_EQ(scrub_secrets("key=sk-abcdefgh", ""), "key=[redacted]");
  EXPECT_EQ(scrub_secrets("invalid x-api-key: sk-ant-api03-Zm9vYmFy_baz-QUx", ""),
            "invalid x-api-key: [redacted]");
  EXPECT_EQ(scrub_secrets("x-goog-api-key AIzaSyD0123456789abcdefghijklmnopqrstu rejected", ""),
            "x-goog-api-key [redacted] rejected");
  EXPECT_EQ(scrub_secrets("(gsk_abcdef12, xai-QWERTY99)", ""), "([redacted], [redacted])");
  EXPECT_EQ(scrub_secrets("token ya29.c.b0Aaekm1K-xyz_123 expired", ""), "token [redacted] expired");
  // Too short after the prefix, or not at a word start: untouched.
  EXPECT_EQ(scrub_secrets("task-12345678 and sk-12 and desk-top", ""), "task-12345678 and sk-12 and desk-top");
}

TEST(ScrubSecrets, BearerCredentialsAndKeyParameters) {
  EXPECT_EQ(scrub_secrets("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig/+=", ""),
            "Authorization: Bearer [redacted]");
  EXPECT_EQ(scrub_secrets("got bearer  abc12345xyz from client", ""), "got bearer  [redacted] from client");
  EXPECT_EQ(scrub_secrets("Bearer authentication is required", ""), "Bearer authentication is required");
  EXPECT_EQ(scrub_secrets("Bearer [redacted]", ""), "Bearer [redacted]");
  EXPECT_EQ(scrub_secrets("GET /v1beta/models/m?key=s3cr3t&alt=sse (api_key=x9; token=abc)", ""),
            "GET /v1beta/models/m?key=[redacted]&alt=sse (api_key=[redacted]; token=abc)");
  EXPECT_EQ(scrub_secrets("?key=k3y-value", "k3y-value"), "?key=[redacted]");
}

TEST(ScrubSecrets, OpaqueTokenRuns) {
  // Long runs mixing letters and digits in one piece: API keys of providers without a prefix
  // (Mistral, Together, ...), signatures, session tokens.
  EXPECT_EQ(scrub_secrets("key 3f9a0c2b7d4e1f6a8b5c3d2e1f0a9b8c7d6e5f4a leaked", ""), "key [redacted] leaked");
  EXPECT_EQ(scrub_secrets("sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA== end", ""), "sig=[redacted] end");
  EXPECT_EQ(scrub_secrets("session AbCdEfGh12345678IjKlMnOp", ""), "session [redacted]");
}

TEST(ScrubSecrets, OrdinaryTextModelNamesIdsAndPathsSurvive) {
  for (std::string_view text : {
           "internationalization problem with messages.0.content.1.tool_use.input",
           "Invalid value at 'contents[12].parts[0].function_response' (type.googleapis.com/x)",
           "Unsupported parameter: 'max_tokens' is not supported; use 'max_completion_tokens'",
           "model: claude-sonnet-4-5-20250929 / claude-3-5-sonnet-20241022 / claude-opus-4-1-20250805",
           "gpt-4o-mini-2024-07-18, gpt-4-1106-preview, gemini-2.5-flash-preview-05-20, o3-mini",
           "Meta-Llama-3.1-405B-Instruct-Turbo and Qwen2.5-72B-Instruct and deepseek-r1-distill-llama-70b",
           "models/gemini-1.5-pro-002 is not found for API version v1beta",
           "request req_011CVEA3SF7rnb3DuBZytqQa; tool toolu_01A09q90qw90lq917835lq9 / "
           "msg_01XFDUDYJgAACzvnptvVoYEL / chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
           "call_abc123def456ghi789jkl and resp_67ccd2bed1ec8190b14f964abc054267 in org-AbCdEf0123456789GhIjKlMn",
           "org: 5576611f-a1ee-427c-9800-298d9579899c, project 123456789012, 2026-05-04T20:01:02.264968Z",
           "Please pass a valid API key. The key was rejected by the Bearer scheme.",
       }) {
    EXPECT_EQ(scrub_secrets(text, "sk-configured-key-0123456789"), text);
  }
}

TEST(ScrubSecrets, RecordedUpstreamErrorMessagesAreLeftAlone) {
  // Real error bodies of every provider: nothing in them is a secret, so nothing may change.
  for (const char* path : {"openai-chat/error-400-unsupported-parameter.json",
                           "openai-chat/error-404-model-not-found.response.json",
                           "openai-chat/error-400-unsupported-value.response.json",
                           "openai-responses/error-400-model-not-found.response.json",
                           "openai-responses/error-400-invalid-value.response.json",
                           "openai-responses/error-429-insufficient-quota.json",
                           "anthropic/error-400-invalid-request.response.json",
                           "anthropic/error-404-not-found.response.json",
                           "anthropic/error-429-rate-limit.response.json",
                           "gemini/error-404-not-found.response.json",
                           "gemini/error-429-resource-exhausted.json",
                           "openai-compatible/groq-error-400-tool-use-failed.response.json"}) {
    std::string body = testing::read_fixture(path);
    json::Reader reader;
    auto parsed = reader.parse(body);
    ASSERT_TRUE(parsed.ok()) << path;
    json::Element root = parsed.value();
    auto err = json::get_object(root.get_object().value_unsafe(), "error");
    ASSERT_TRUE(err.has_value()) << path;
    std::string message(json::get_string(*err, "message"));
    ASSERT_FALSE(message.empty()) << path;
    EXPECT_EQ(scrub_secrets(message, "sk-configured-key-0123456789"), message) << path;
    if (auto request_id = json::get_string(root.get_object().value_unsafe(), "request_id");
        !request_id.empty()) {
      EXPECT_EQ(scrub_secrets(request_id, ""), request_id) << path;
    }
  }
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
