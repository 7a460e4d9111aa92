#include "openrain/status.hpp"

#include <cstring>

#include "openrain/canonical.hpp"
#include "openrain/config.hpp"
#include "openrain/http.hpp"

namespace openrain {

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::InvalidRequest: return "invalid_request";
    case ErrorKind::Authentication: return "authentication";
    case ErrorKind::PermissionDenied: return "permission_denied";
    case ErrorKind::NotFound: return "not_found";
    case ErrorKind::PayloadTooLarge: return "payload_too_large";
    case ErrorKind::UnsupportedParameter: return "unsupported_parameter";
    case ErrorKind::ContextLengthExceeded: return "context_length_exceeded";
    case ErrorKind::RateLimited: return "rate_limited";
    case ErrorKind::QuotaExceeded: return "quota_exceeded";
    case ErrorKind::UpstreamServerError: return "upstream_server_error";
    case ErrorKind::Overloaded: return "overloaded";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::UpstreamConnection: return "upstream_connection";
    case ErrorKind::UpstreamProtocol: return "upstream_protocol";
    case ErrorKind::StreamInterrupted: return "stream_interrupted";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

int default_http_status(ErrorKind k) {
  switch (k) {
    case ErrorKind::InvalidRequest: return 400;
    case ErrorKind::Authentication: return 401;
    case ErrorKind::PermissionDenied: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::PayloadTooLarge: return 413;
    case ErrorKind::UnsupportedParameter: return 400;
    case ErrorKind::ContextLengthExceeded: return 400;
    case ErrorKind::RateLimited: return 429;
    case ErrorKind::QuotaExceeded: return 429;
    case ErrorKind::UpstreamServerError: return 500;
    case ErrorKind::Overloaded: return 503;
    case ErrorKind::Timeout: return 504;
    case ErrorKind::UpstreamConnection: return 502;
    case ErrorKind::UpstreamProtocol: return 502;
    case ErrorKind::StreamInterrupted: return 502;
    case ErrorKind::Cancelled: return 499;
    case ErrorKind::Internal: return 500;
  }
  return 500;
}

bool is_retryable(ErrorKind k) {
  switch (k) {
    case ErrorKind::RateLimited:
    case ErrorKind::UpstreamServerError:
    case ErrorKind::Overloaded:
    case ErrorKind::Timeout:
    case ErrorKind::UpstreamConnection:
    case ErrorKind::UpstreamProtocol:
      return true;
    default:
      return false;
  }
}

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::OpenAIChat: return "openai_chat";
    case Protocol::OpenAIResponses: return "openai_responses";
    case Protocol::Anthropic: return "anthropic";
    case Protocol::Gemini: return "gemini";
  }
  return "unknown";
}

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::Stop: return "stop";
    case FinishReason::StopSequence: return "stop_sequence";
    case FinishReason::Length: return "length";
    case FinishReason::ToolCalls: return "tool_calls";
    case FinishReason::ContentFilter: return "content_filter";
    case FinishReason::Other: return "other";
  }
  return "other";
}

const char* provider_kind_name(ProviderKind k) {
  switch (k) {
    case ProviderKind::OpenAI: return "openai";
    case ProviderKind::OpenAICompatible: return "openai_compatible";
    case ProviderKind::Anthropic: return "anthropic";
    case ProviderKind::Gemini: return "gemini";
  }
  return "unknown";
}

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

std::string_view find_query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    auto eq = kv.find('=');
    std::string_view k = kv.substr(0, eq);
    if (k == name) return eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

const ProviderConfig* GatewayConfig::find_provider(std::string_view name) const {
  for (const auto& p : providers) if (p.name == name) return &p;
  return nullptr;
}

const ModelConfig* GatewayConfig::find_model(std::string_view alias) const {
  for (const auto& m : models) if (m.alias == alias) return &m;
  return nullptr;
}

}  // namespace openrain
