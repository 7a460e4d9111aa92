#include "json/writer.hpp"

#include <gtest/gtest.h>

#include "json/reader.hpp"

namespace openrain::json {
namespace {

TEST(JsonWriter, NestedStructuresAndCommas) {
  std::string out;
  Writer w(out);
  w.begin_object().field("a", int64_t{1}).key("b").begin_array().value("x").value(true).null()
      .begin_object().end_object().end_array().field("c", 1.5).field_raw("d", "{\"k\":[1]}")
      .end_object();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,null,{}],"c":1.5,"d":{"k":[1]}})");
}

TEST(JsonWriter, EscapesControlAndQuotes) {
  std::string out;
  append_quoted(out, std::string("a\"b\\c\n\t\x01\xC3\xA9", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\xC3\xA9\"");
  Reader r;
  auto e = r.parse(out);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(std::string(e.value().get_string().value()), std::string("a\"b\\c\n\t\x01\xC3\xA9", 10));
}

/// Byte-at-a-time reference for append_escaped (which skips clean 8-byte words at once).
std::string reference_escape(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

TEST(JsonWriter, EscapingMatchesTheBytewiseReferenceAtEveryOffset) {
  // Every byte value at every position of strings long enough to cross two 8-byte words, so a
  // byte needing an escape is found whichever word (or tail) it falls in.
  for (size_t len : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 23u}) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, 'a');
        s[pos] = static_cast<char>(b);
        std::string got;
        append_escaped(got, s);
        ASSERT_EQ(got, reference_escape(s)) << "len " << len << " pos " << pos << " byte " << b;
      }
    }
  }
  std::string mixed = "plain words, then \"quotes\" and \\ and \x1f and caf\xC3\xA9 done";
  std::string got;
  append_escaped(got, mixed);
  EXPECT_EQ(got, reference_escape(mixed));
}

TEST(JsonWriter, NonFiniteDoublesBecomeNull) {
  std::string out;
  Writer w(out);
  w.begin_array().value(std::numeric_limits<double>::infinity()).end_array();
  EXPECT_EQ(out, "[null]");
}

TEST(JsonReader, TypeErrorsNameThePath) {
  Reader r;
  auto e = r.parse(R"({"messages":[{"content":5}]})");
  ASSERT_TRUE(e.ok());
  auto msg = e.value()["messages"].at(0).get_object().value();
  auto s = opt_string(msg, "content", "messages[0]");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().param, "messages[0].content");
  EXPECT_EQ(s.error().http_status, 400);
  EXPECT_NE(s.error().message.find("expected a string"), std::string::npos);
}

TEST(JsonReader, OutOfRangeNumbersAreTypeErrorsNotUndefinedBehaviour) {
  Reader r;
  auto e = r.parse(R"({"n":1e300,"m":-1e300,"k":2.0})");
  ASSERT_TRUE(e.ok());
  auto o = e.value().get_object().value();
  EXPECT_FALSE(opt_int(o, "n", "").ok());
  EXPECT_FALSE(opt_int(o, "m", "").ok());
  EXPECT_EQ(*opt_int(o, "k", "").value(), 2);
  EXPECT_EQ(get_int(o, "n", -7), -7);
}

TEST(JsonReader, MalformedJsonIsInvalidRequest) {
  Reader r;
  auto e = r.parse("{\"a\":");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::InvalidRequest);
}

}  // namespace
}  // namespace openrain::json
