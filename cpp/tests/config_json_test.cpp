#include <gtest/gtest.h>

#include "openrain/config.hpp"

namespace openrain {
namespace {

TEST(ConfigJson, ParsesProvidersModelsAndQuirks) {
  auto r = parse_config_json(R"({
    "providers":[{"name":"ds","kind":"openai_compatible","base_url":"http://127.0.0.1:9/v1",
                  "api_key":"k","quirks":{"usage_on_finish_chunk":true,"reasoning_field":"reasoning_content"},
                  "timeouts":{"connect_ms":5,"first_byte_ms":6,"idle_ms":7,"total_ms":8},
                  "extra_headers":{"x-a":"b"}}],
    "models":[{"alias":"fast","provider":"ds","model":"deepseek-chat"}],
    "server":{"host":"0.0.0.0","port":9000,"max_request_bytes":1000}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const GatewayConfig& c = *r.value();
  ASSERT_EQ(c.providers.size(), 1u);
  EXPECT_EQ(c.providers[0].kind, ProviderKind::OpenAICompatible);
  EXPECT_TRUE(c.providers[0].quirks.usage_on_finish_chunk);
  EXPECT_TRUE(c.providers[0].quirks.supports_stream_options);
  EXPECT_EQ(c.providers[0].quirks.reasoning_field, "reasoning_content");
  EXPECT_EQ(c.providers[0].timeouts.idle_ms, 7);
  EXPECT_EQ(c.providers[0].extra_headers.at(0).second, "b");
  ASSERT_NE(c.find_model("fast"), nullptr);
  EXPECT_EQ(c.find_model("fast")->model, "deepseek-chat");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.server.max_request_bytes, 1000);
}

TEST(ConfigJson, ErrorsNameTheKeyPath) {
  auto r = parse_config_json(R"({"providers":[{"name":"a","kind":"openai","base_url":"http://x"},
                                             {"name":"b","kind":"foo","base_url":"http://x"}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().param, "providers[1].kind");
  auto r2 = parse_config_json(R"({"providers":[],"models":[{"alias":"m","provider":"nope","model":"x"}]})");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().param, "models[0].provider");
  auto r3 = parse_config_json(R"({"providers":[{"name":"a","kind":"openai","base_url":"http://x","timeouts":{"idle_ms":"x"}}]})");
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().param, "providers[0].timeouts.idle_ms");
}

}  // namespace
}  // namespace openrain
