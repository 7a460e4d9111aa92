// providers/carry: reversible tool-call ids and wrapped foreign signatures.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "providers/carry.hpp"
#include "providers/common.hpp"

namespace openrain::providers {
namespace {

const std::regex kAnthropicId("^[a-zA-Z0-9_-]+$");

// A real (truncated) Gemini signature: standard base64 with '+', '/' and padding.
const std::string kGeminiSig = "EpwICpkIAXLI2nxlU6gs+Z/ZHRYkX1orzuM8vSUFwaAt1JRxEC2hJzPAb1==";

TEST(CarryToolIds, PlainIdsStayVerbatimWithoutSignature) {
  EXPECT_EQ(caller_tool_id("fc-7a1", ""), "fc-7a1");
  EXPECT_EQ(caller_tool_id("call_m1", ""), "call_m1");
  EXPECT_EQ(anthropic_tool_id("toolu_01A09q90qw90lq917835lq9", ""),
            "toolu_01A09q90qw90lq917835lq9");
  for (const char* id : {"fc-7a1", "call_m1", "toolu_01A09q90qw90lq917835lq9", "x"}) {
    CarriedToolId c = parse_tool_id(id);
    EXPECT_EQ(c.id, id);
    EXPECT_EQ(c.signature, "");
  }
}

TEST(CarryToolIds, AnthropicSurfaceAlwaysShowsToolu) {
  for (const char* id : {"call_m1", "fc-7a1", "functions.Bash:0", "chatcmpl-tool-9", "toolu_bad id",
                         "toolu_or_nested"}) {
    std::string shown = anthropic_tool_id(id, "");
    EXPECT_EQ(shown.rfind("toolu_", 0), 0u) << shown;
    EXPECT_TRUE(std::regex_match(shown, kAnthropicId)) << shown;
    EXPECT_EQ(parse_tool_id(shown).id, id);
    EXPECT_EQ(parse_tool_id(shown).signature, "");
  }
  EXPECT_EQ(anthropic_tool_id("call_m1", ""), "toolu_or_call_m1");
}

TEST(CarryToolIds, SignaturesRoundTripThroughBothForms) {
  const std::string synth = synth_tool_id("resp-1", 0);
  for (const std::string& sig : {kGeminiSig, std::string("c2lnLTE="), std::string("sig-1"),
                                 std::string("weird/sig with spaces=="), std::string("QUJD")}) {
    for (const std::string& shown : {caller_tool_id(synth, sig), anthropic_tool_id(synth, sig),
                                     caller_tool_id("fc-7a1", sig)}) {
      EXPECT_TRUE(std::regex_match(shown, kAnthropicId)) << shown;
      CarriedToolId c = parse_tool_id(shown);
      EXPECT_EQ(c.signature, sig) << shown;
      EXPECT_TRUE(c.id == synth || c.id == "fc-7a1") << shown;
    }
  }
  // Canonical base64 costs no escaping: only the prefix, the id and three separator bytes.
  std::string shown = caller_tool_id(synth, kGeminiSig);
  EXPECT_EQ(shown.size(), std::string("call_or_").size() + synth.size() + 3 + kGeminiSig.size() - 2);
}

TEST(CarryToolIds, MalformedEncodingsDecodeToThemselves) {
  for (const char* id : {"call_or_a-Z9", "call_or_a-tx", "toolu_or_ab-t", "call_or_a-tbA",
                         "toolu_or_a b", "call_or_x-tenot-ZZhex"}) {
    CarriedToolId c = parse_tool_id(id);
    EXPECT_EQ(c.id, id);
    EXPECT_EQ(c.signature, "");
  }
}

TEST(CarryToolIds, SynthIdsAreRecognised) {
  EXPECT_TRUE(is_synth_tool_id(synth_tool_id("seed", 3)));
  EXPECT_FALSE(is_synth_tool_id("call_m1"));
  EXPECT_FALSE(is_synth_tool_id("call_ABCDEF0123456789"));
  EXPECT_FALSE(is_synth_tool_id("fc-7a1"));
}

TEST(CarrySignatures, WrappedSignaturesAreBase64AndRoundTrip) {
  for (Protocol origin : {Protocol::Anthropic, Protocol::OpenAIResponses, Protocol::Gemini,
                          Protocol::OpenAIChat}) {
    for (const std::string& raw : {std::string("sig-1"), kGeminiSig, std::string()}) {
      std::string w = wrap_signature(origin, raw);
      EXPECT_FALSE(w.empty());
      EXPECT_TRUE(std::regex_match(w, std::regex("^[A-Za-z0-9+/]*={0,2}$"))) << w;
      EXPECT_EQ(w.size() % 4, 0u);
      auto back = unwrap_signature(w);
      ASSERT_TRUE(back.has_value());
      EXPECT_EQ(back->origin, origin);
      EXPECT_EQ(back->raw, raw);
    }
  }
  EXPECT_FALSE(unwrap_signature(kGeminiSig).has_value());
  EXPECT_FALSE(unwrap_signature("sig-1").has_value());
  EXPECT_FALSE(unwrap_signature("").has_value());
}

TEST(CarryBase64, EncodeDecode) {
  EXPECT_EQ(base64_encode("sig-1"), "c2lnLTE=");
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("ab"), "YWI=");
  EXPECT_EQ(*base64_decode("c2lnLTE="), "sig-1");
  EXPECT_EQ(*base64_decode("c2lnLTE"), "sig-1");
  EXPECT_EQ(*base64_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_FALSE(base64_decode("a$bc").has_value());
  EXPECT_FALSE(base64_decode("abcde").has_value());
}

}  // namespace
}  // namespace openrain::providers
