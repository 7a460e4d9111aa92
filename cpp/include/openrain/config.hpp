// config.hpp — the gateway's configuration as plain immutable structs.
//
// Owns: ProviderConfig (kind, base URL, resolved key, quirks, timeouts), ModelConfig (alias →
// provider + upstream model), ServerConfig, and GatewayConfig, plus parse_config_json(), the one
// loader. Python validates the user's YAML (naming file, key path and problem) and hands the engine
// JSON; the engine re-validates and never trusts it blindly. A GatewayConfig is built once and then
// shared read-only by every request (shared_ptr<const GatewayConfig>), so it is thread-safe.
// Secrets: `api_key` never appears in logs, errors or responses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openrain/canonical.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain {

enum class ProviderKind : uint8_t { OpenAI, OpenAICompatible, Anthropic, Gemini };
const char* provider_kind_name(ProviderKind k);

/// Declared deviations of OpenAI-compatible servers (data, not code).
struct ProviderQuirks {
  bool supports_stream_options = true;    // accepts stream_options.include_usage
  bool usage_on_finish_chunk = false;     // usage arrives on the finish_reason chunk
  bool tool_call_index_missing = false;   // tool-call deltas may lack `index`
  bool supports_developer_role = true;    // else developer → system
  bool max_tokens_legacy = false;         // send max_tokens instead of max_completion_tokens
  std::string reasoning_field;            // e.g. "reasoning_content" (DeepSeek), "reasoning"
  bool supports_json_schema = true;       // response_format json_schema
  bool supports_json_object = true;       // response_format json_object
  bool tool_call_id_9_alnum = false;      // Mistral: ids must be 9 alphanumerics
};

struct Timeouts {
  int64_t connect_ms = 10'000;
  int64_t first_byte_ms = 60'000;   // request sent → response head
  int64_t idle_ms = 60'000;         // between body reads
  int64_t total_ms = 600'000;       // whole exchange
};

struct ProviderConfig {
  std::string name;
  ProviderKind kind = ProviderKind::OpenAI;
  std::string base_url;      // e.g. "https://api.openai.com" (path prefix allowed: ".../v1")
  std::string api_key;       // resolved secret; may be empty (local servers)
  ProviderQuirks quirks;
  Timeouts timeouts;
  int64_t max_response_bytes = 64ll << 20;  // non-streaming body cap; streams are incremental
  bool verify_tls = true;
  std::string ca_file;       // optional CA bundle path
  Headers extra_headers;
  int64_t default_max_tokens = 4096;  // Anthropic requires max_tokens
};

struct ModelConfig {
  std::string alias;         // what callers put in "model"
  std::string provider;      // ProviderConfig::name
  std::string model;         // upstream model id
  bool strict = false;       // translation loss becomes a 400 (issue 3)
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 0;                        // 0 = hardware concurrency
  int64_t max_request_bytes = 32ll << 20; // caller body limit → 413 beyond
  int64_t stream_keepalive_ms = 10'000;   // keep-alive frame after this much stream silence
};

struct GatewayConfig {
  std::vector<ProviderConfig> providers;
  std::vector<ModelConfig> models;
  ServerConfig server;

  const ProviderConfig* find_provider(std::string_view name) const;
  const ModelConfig* find_model(std::string_view alias) const;
};

/// A resolved route: one model alias on one provider. Pointers into a live GatewayConfig.
struct Deployment {
  const ProviderConfig* provider = nullptr;
  const ModelConfig* model = nullptr;
};

/// Parse and validate the engine's JSON config (produced by openrain.config). Errors name the
/// key path, e.g. "providers[1].kind: unknown provider kind 'foo'".
Result<std::shared_ptr<const GatewayConfig>> parse_config_json(std::string_view json);

}  // namespace openrain
