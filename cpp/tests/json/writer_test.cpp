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
