// providers/count_tokens.hpp — native token counting requests for upstreams that offer it.
//
// Owns: building the upstream count request (Anthropic /v1/messages/count_tokens, Gemini
// :countTokens) from a ChatRequest, reusing each provider's own request encoder, and reading the
// count out of the upstream answer. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "providers/provider.hpp"

namespace openrain::providers {

/// The upstream request that counts `req`'s input tokens natively, or UnsupportedParameter when
/// the provider kind has no counting endpoint.
Result<UpstreamRequest> build_count_tokens_request(const ChatRequest& req, const Deployment& d);
/// The count in a 2xx counting answer ({"input_tokens":N} or {"totalTokens":N}).
Result<int64_t> parse_count_tokens_response(ProviderKind kind, std::string_view body);

}  // namespace openrain::providers
