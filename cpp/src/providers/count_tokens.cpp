#include "providers/count_tokens.hpp"

#include "json/reader.hpp"
#include "json/writer.hpp"

namespace openrain::providers {

namespace {

bool replace_suffix(std::string& path, std::string_view from, std::string_view to) {
  auto pos = path.rfind(from);
  if (pos == std::string::npos) return false;
  path.replace(pos, from.size(), to);
  return true;
}

}  // namespace

Result<UpstreamRequest> build_count_tokens_request(const ChatRequest& in, const Deployment& d) {
  ChatRequest req = in;
  req.stream = false;
  TranslationReport report;
  const Provider& provider = provider_for(d.provider->kind);
  if (d.provider->kind == ProviderKind::Anthropic) {
    auto built = provider.build_request(req, d, report);
    if (!built.ok()) return built.take_error();
    UpstreamRequest up = std::move(built.value());
    replace_suffix(up.path, "/messages", "/messages/count_tokens");
    // count_tokens accepts a subset of the Messages body: keep only those members.
    json::Reader reader;
    auto root = reader.parse(up.body);
    if (!root.ok()) return Error::make(ErrorKind::Internal, "count_tokens: bad request body");
    static constexpr std::string_view kAllowed[] = {
        "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config",
        "cache_control", "mcp_servers", "context_management"};
    std::string body;
    json::Writer w(body);
    w.begin_object();
    for (auto [key, value] : json::Object(root.value().get_object().value_unsafe())) {
      for (auto allowed : kAllowed) {
        if (key == allowed) {
          w.field_raw(key, json::to_json(value));
          break;
        }
      }
    }
    w.end_object();
    up.body = std::move(body);
    return up;
  }
  if (d.provider->kind == ProviderKind::Gemini) {
    auto built = provider.build_request(req, d, report);
    if (!built.ok()) return built.take_error();
    UpstreamRequest up = std::move(built.value());
    if (!replace_suffix(up.path, ":generateContent", ":countTokens")) {
      return Error::make(ErrorKind::Internal, "count_tokens: unexpected Gemini path");
    }
    // {"generateContentRequest": {"model": "models/<id>", ...the generateContent body...}}
    std::string body = "{\"generateContentRequest\":{\"model\":";
    json::append_quoted(body, "models/" + d.model->model);
    if (up.body.size() > 2) {
      body += ",";
      body.append(up.body, 1, up.body.size() - 1);  // members of the original object + '}'
    } else {
      body += "}";
    }
    body += "}";
    up.body = std::move(body);
    return up;
  }
  return Error::make(ErrorKind::UnsupportedParameter, "this provider has no token counting endpoint");
}

Result<int64_t> parse_count_tokens_response(ProviderKind kind, std::string_view body) {
  json::Reader reader;
  auto root = reader.parse(body);
  json::Object o;
  if (!root.ok() || root.value().get_object().get(o) != simdjson::SUCCESS) {
    return Error::make(ErrorKind::UpstreamProtocol, "upstream token count was not a JSON object");
  }
  std::string_view key = kind == ProviderKind::Gemini ? "totalTokens" : "input_tokens";
  int64_t n = json::get_int(o, key, -1);
  if (n < 0) return Error::make(ErrorKind::UpstreamProtocol, "upstream token count missing");
  return n;
}

}  // namespace openrain::providers
