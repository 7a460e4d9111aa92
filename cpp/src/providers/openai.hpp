// providers/openai.hpp — the OpenAI Chat Completions provider adapter.
//
// Owns the upstream side of `POST /v1/chat/completions` for OpenAI itself and for every
// OpenAI-compatible server (DeepSeek, Mistral, Groq, vLLM, Ollama, ...). One Provider object
// serves ProviderKind::OpenAI and ::OpenAICompatible; every behavioural difference between those
// servers comes only from the declared `ProviderQuirks` of the deployment's provider (data, never
// code paths keyed on a provider's name).
//
// The implementation is split by concept:
//   openai_request.cpp  — ChatRequest → upstream HTTP request (json::Writer, no DOM)
//   openai_decoder.cpp  — upstream body (SSE chunks or one chat.completion) → canonical events
//   openai.cpp          — the Provider object and upstream error classification
// The helpers below are shared by those files and exercised directly by the tests.
//
// Decoder conventions worth knowing (see openai_decoder.cpp):
//   - Tool calls are keyed on the upstream `index` (which may start at 1 or be sparse) and
//     renumbered 0,1,2... in order of appearance; without an index (or with the
//     `tool_call_index_missing` quirk) a new `id` opens a new call and a fragment without `id`
//     continues the last call. All calls stay open until the response ends.
//   - A tool call that completes with zero argument bytes gets one ToolCallDelta "{}" so callers
//     always receive valid JSON arguments; non-empty arguments are passed through byte-exact.
//   - finish_reason "stop" together with emitted tool calls is reported as ToolCalls (a caller
//     must run the calls); "length" always wins. A vLLM `stop_reason` naming one of the request's
//     stop strings becomes StopSequence.
//   - A stream whose finish_reason was seen but that ends without `[DONE]` is complete; one that
//     ends before any finish_reason is StreamInterrupted.
// Thread-safety: the Provider object is stateless and shared; decoders are per request.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/provider.hpp"

namespace openrain::providers {

/// The shared OpenAI Chat Completions provider (static lifetime).
const Provider& openai_provider();

namespace openai {

/// Upstream path for a provider base URL: "/chat/completions" when the base URL's path already
/// ends in "/v1" (e.g. "http://host:8000/v1"), else "/v1/chat/completions".
std::string chat_completions_path(std::string_view base_url);

/// Mistral tool-call ids: an id that already is 9 ASCII alphanumerics is kept; any other id maps
/// deterministically to 9 alphanumerics (so a call and its result stay paired).
std::string mistral_tool_id(std::string_view id);

/// True for OpenAI's rate-limit headers (`x-ratelimit-*`), forwarded on errors and successes.
bool is_rate_limit_header(std::string_view name);

Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                      TranslationReport& report);
std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                              bool streaming);

/// Fields of an OpenAI-shaped error body (`{"error":{message,type,param,code}}` and the common
/// variants servers use), already parsed.
struct ErrorBody {
  bool json = false;          // the body was a JSON object
  std::string message;
  std::string type;
  std::string param;
  std::string code;
  int status = 0;             // a status carried inside the body (in-stream errors), 0 if none
  std::string raw;            // non-JSON bodies: their first 8 KiB, for a sanitised snippet
};
/// Parse an error body; `json` stays false for non-JSON / non-object bodies (HTML pages...).
ErrorBody parse_error_body(std::string_view body);

/// Classify an upstream failure. `status` is the HTTP status (0 for an in-stream error without a
/// status, classified from type/code). `headers` may be empty. Never copies secrets.
Error classify(int status, const Headers& headers, const ErrorBody& body,
               const ProviderConfig* provider);

}  // namespace openai
}  // namespace openrain::providers
