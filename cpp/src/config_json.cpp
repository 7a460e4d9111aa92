// config_json.cpp — parse_config_json(): the engine's one config loader (JSON made by Python).
#include <string>

#include "json/reader.hpp"
#include "openrain/config.hpp"

namespace openrain {

namespace {

using json::Object;

Error cfg_error(const std::string& path, const std::string& problem) {
  return Error::invalid("config: " + path + ": " + problem, path, "invalid_config");
}

#define OR_TRY(var, expr)                  \
  auto var = (expr);                       \
  if (!var.ok()) return var.take_error();

template <typename T>
Status set_opt(T& dst, const Result<std::optional<T>>& r) {
  if (!r.ok()) return r.error();
  if (r.value()) dst = *r.value();
  return {};
}

Status read_str(Object o, std::string_view key, const std::string& path, std::string& dst) {
  auto r = json::opt_string(o, key, path);
  if (!r.ok()) return r.error();
  if (r.value()) dst = std::string(*r.value());
  return {};
}

Status read_provider(Object o, const std::string& path, ProviderConfig& p) {
  if (auto s = read_str(o, "name", path, p.name); !s.ok()) return s;
  if (p.name.empty()) return cfg_error(path + ".name", "required");
  std::string kind;
  if (auto s = read_str(o, "kind", path, kind); !s.ok()) return s;
  if (kind == "openai") p.kind = ProviderKind::OpenAI;
  else if (kind == "openai_compatible") p.kind = ProviderKind::OpenAICompatible;
  else if (kind == "anthropic") p.kind = ProviderKind::Anthropic;
  else if (kind == "gemini") p.kind = ProviderKind::Gemini;
  else return cfg_error(path + ".kind", "unknown provider kind '" + kind + "'");
  if (auto s = read_str(o, "base_url", path, p.base_url); !s.ok()) return s;
  if (p.base_url.empty()) return cfg_error(path + ".base_url", "required");
  if (auto s = read_str(o, "api_key", path, p.api_key); !s.ok()) return s;
  if (auto s = read_str(o, "ca_file", path, p.ca_file); !s.ok()) return s;
  if (auto s = set_opt(p.verify_tls, json::opt_bool(o, "verify_tls", path)); !s.ok()) return s;
  if (auto s = set_opt(p.default_max_tokens, json::opt_int(o, "default_max_tokens", path)); !s.ok()) return s;
  if (auto s = set_opt(p.max_response_bytes, json::opt_int(o, "max_response_bytes", path)); !s.ok()) return s;

  OR_TRY(t, json::opt_object(o, "timeouts", path));
  if (t.value()) {
    std::string tp = path + ".timeouts";
    Object to = *t.value();
    if (auto s = set_opt(p.timeouts.connect_ms, json::opt_int(to, "connect_ms", tp)); !s.ok()) return s;
    if (auto s = set_opt(p.timeouts.first_byte_ms, json::opt_int(to, "first_byte_ms", tp)); !s.ok()) return s;
    if (auto s = set_opt(p.timeouts.idle_ms, json::opt_int(to, "idle_ms", tp)); !s.ok()) return s;
    if (auto s = set_opt(p.timeouts.total_ms, json::opt_int(to, "total_ms", tp)); !s.ok()) return s;
  }
  OR_TRY(q, json::opt_object(o, "quirks", path));
  if (q.value()) {
    std::string qp = path + ".quirks";
    Object qo = *q.value();
    ProviderQuirks& k = p.quirks;
    for (auto [key, dst] : {std::pair<const char*, bool*>{"supports_stream_options", &k.supports_stream_options},
                            {"usage_on_finish_chunk", &k.usage_on_finish_chunk},
                            {"tool_call_index_missing", &k.tool_call_index_missing},
                            {"supports_developer_role", &k.supports_developer_role},
                            {"max_tokens_legacy", &k.max_tokens_legacy},
                            {"supports_json_schema", &k.supports_json_schema},
                            {"supports_json_object", &k.supports_json_object},
                            {"tool_call_id_9_alnum", &k.tool_call_id_9_alnum}}) {
      if (auto s = set_opt(*dst, json::opt_bool(qo, key, qp)); !s.ok()) return s;
    }
    if (auto s = read_str(qo, "reasoning_field", qp, k.reasoning_field); !s.ok()) return s;
  }
  OR_TRY(h, json::opt_object(o, "extra_headers", path));
  if (h.value()) {
    for (auto [key, val] : *h.value()) {
      std::string_view v;
      if (val.get_string().get(v) != simdjson::SUCCESS) {
        return cfg_error(path + ".extra_headers." + std::string(key), "must be a string");
      }
      p.extra_headers.emplace_back(std::string(key), std::string(v));
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const GatewayConfig>> parse_config_json(std::string_view text) {
  json::Reader reader;  // local: config parsing must not disturb a thread's request reader
  auto root = reader.parse(text);
  if (!root.ok()) return cfg_error("<root>", root.error().message);
  Object top;
  if (root.value().get_object().get(top) != simdjson::SUCCESS) {
    return cfg_error("<root>", "must be an object");
  }
  auto cfg = std::make_shared<GatewayConfig>();

  OR_TRY(providers, json::opt_array(top, "providers", ""));
  if (providers.value()) {
    size_t i = 0;
    for (auto el : *providers.value()) {
      std::string path = json::path_index("providers", i++);
      Object po;
      if (el.get_object().get(po) != simdjson::SUCCESS) return cfg_error(path, "must be an object");
      ProviderConfig p;
      if (auto s = read_provider(po, path, p); !s.ok()) return s.error();
      if (cfg->find_provider(p.name)) return cfg_error(path + ".name", "duplicate provider '" + p.name + "'");
      cfg->providers.push_back(std::move(p));
    }
  }
  OR_TRY(models, json::opt_array(top, "models", ""));
  if (models.value()) {
    size_t i = 0;
    for (auto el : *models.value()) {
      std::string path = json::path_index("models", i++);
      Object mo;
      if (el.get_object().get(mo) != simdjson::SUCCESS) return cfg_error(path, "must be an object");
      ModelConfig m;
      if (auto s = read_str(mo, "alias", path, m.alias); !s.ok()) return s.error();
      if (auto s = read_str(mo, "provider", path, m.provider); !s.ok()) return s.error();
      if (auto s = read_str(mo, "model", path, m.model); !s.ok()) return s.error();
      if (auto s = set_opt(m.strict, json::opt_bool(mo, "strict", path)); !s.ok()) return s.error();
      if (m.alias.empty()) return cfg_error(path + ".alias", "required");
      if (m.model.empty()) return cfg_error(path + ".model", "required");
      if (!cfg->find_provider(m.provider)) {
        return cfg_error(path + ".provider", "unknown provider '" + m.provider + "'");
      }
      if (cfg->find_model(m.alias)) return cfg_error(path + ".alias", "duplicate alias '" + m.alias + "'");
      cfg->models.push_back(std::move(m));
    }
  }
  OR_TRY(server, json::opt_object(top, "server", ""));
  if (server.value()) {
    Object so = *server.value();
    if (auto s = read_str(so, "host", "server", cfg->server.host); !s.ok()) return s.error();
    auto pr = json::opt_int(so, "port", "server");
    if (!pr.ok()) return pr.take_error();
    if (pr.value()) {
      if (*pr.value() < 0 || *pr.value() > 65535) return cfg_error("server.port", "out of range");
      cfg->server.port = static_cast<uint16_t>(*pr.value());
    }
    auto th = json::opt_int(so, "threads", "server");
    if (!th.ok()) return th.take_error();
    if (th.value()) cfg->server.threads = static_cast<int>(*th.value());
    if (auto s = set_opt(cfg->server.max_request_bytes, json::opt_int(so, "max_request_bytes", "server")); !s.ok()) {
      return s.error();
    }
    if (auto s = set_opt(cfg->server.stream_keepalive_ms, json::opt_int(so, "stream_keepalive_ms", "server")); !s.ok()) {
      return s.error();
    }
    if (cfg->server.stream_keepalive_ms < 10) return cfg_error("server.stream_keepalive_ms", "must be >= 10");
  }
  return std::shared_ptr<const GatewayConfig>(std::move(cfg));
}

}  // namespace openrain
