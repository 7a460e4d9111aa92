// Tests for surfaces/openai_parts: the content-part decoding both OpenAI surfaces share.
#include <gtest/gtest.h>

#include <string>

#include "json/reader.hpp"
#include "surfaces/openai_parts.hpp"

namespace openrain::surfaces::openai_parts {
namespace {

TEST(OpenAIParts, ImageFromHttpAndDataUrls) {
  auto http = image_part("HTTPS://ex.com/a.png", "high", "p.url");
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(http->kind, ContentPart::Kind::Image);
  EXPECT_EQ(http->url, "HTTPS://ex.com/a.png");
  EXPECT_EQ(http->detail, "high");
  auto data = image_part("data:image/png;base64,iVBORw0KGgo=", "", "p.url");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->media_type, "image/png");
  EXPECT_EQ(data->data, "iVBORw0KGgo=");
  EXPECT_TRUE(data->url.empty());
  EXPECT_TRUE(data->detail.empty());
}

TEST(OpenAIParts, BadImageUrlsNameTheField) {
  for (const char* url : {"data:image/png;base64,not base64!", "data:text/plain,hi", "ftp://x/y",
                          "file.png"}) {
    auto r = image_part(url, "", "input[0].content[1].image_url");
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().param, "input[0].content[1].image_url");
    EXPECT_EQ(r.error().code, "invalid_image_url");
    EXPECT_EQ(r.error().message.rfind("Invalid 'input[0].content[1].image_url'", 0), 0u);
  }
}

TEST(OpenAIParts, TextPartRequiresItsMember) {
  json::Reader reader;
  auto ok = reader.parse(R"({"type":"text","text":"hi"})");
  ASSERT_TRUE(ok.ok());
  auto p = text_part(ok.value().get_object().value_unsafe(), "text", "messages[0].content[0]");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, ContentPart::Kind::Text);
  EXPECT_EQ(p->text, "hi");

  json::Reader reader2;
  auto bad = reader2.parse(R"({"type":"text"})");
  ASSERT_TRUE(bad.ok());
  auto m = text_part(bad.value().get_object().value_unsafe(), "text", "messages[0].content[0]");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().param, "messages[0].content[0].text");
  EXPECT_EQ(m.error().code, "missing_required_parameter");
}

TEST(OpenAIParts, FunctionNames) {
  EXPECT_TRUE(check_function_name("get_weather-2", "tools[0].name").ok());
  auto bad = check_function_name("a.b", "tools[0].name");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().param, "tools[0].name");
  auto empty = check_function_name("", "tools[0].name");
  EXPECT_FALSE(empty.ok());
  auto long_name = check_function_name(std::string(65, 'a'), "tools[0].name");
  ASSERT_FALSE(long_name.ok());
  EXPECT_EQ(long_name.error().code, "string_above_max_length");
}

TEST(OpenAIParts, Base64AndPrefixHelpers) {
  EXPECT_TRUE(is_base64_payload("aGk="));
  EXPECT_TRUE(is_base64_payload("a-_b"));
  EXPECT_FALSE(is_base64_payload(""));
  EXPECT_FALSE(is_base64_payload("a b"));
  EXPECT_TRUE(starts_with_ci("DATA:x", "data:"));
  EXPECT_FALSE(starts_with_ci("dat", "data:"));
}

}  // namespace
}  // namespace openrain::surfaces::openai_parts
