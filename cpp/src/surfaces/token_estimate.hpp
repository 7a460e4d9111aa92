// surfaces/token_estimate.hpp — a local, deterministic input-token estimate for a ChatRequest.
//
// Owns: the estimate behind `/v1/messages/count_tokens` when the upstream is not Anthropic (an
// Anthropic upstream answers count_tokens itself), and the `{"input_tokens": N}` body. The
// estimate is deliberately simple and slightly generous (clients such as Claude Code use it to
// decide when to compact, so erring high is safer): ASCII text costs 1 token per 4 bytes, every
// other Unicode code point 1 token, plus fixed costs per message (4), per image (1600, Anthropic's
// cost of a ~1.15 MP image), per tool call / tool result (8) and per tool definition (8), and 300
// for the tool-use system prompt when tools are present. Tool schemas, tool-call arguments,
// structured-output schemas and raw blocks count as their JSON text. Signatures and redacted
// thinking data (opaque ciphertext) are not counted. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "openrain/canonical.hpp"

namespace openrain::surfaces {

/// Estimated input tokens of `req` (always >= 1; same request → same number).
int64_t estimate_input_tokens(const ChatRequest& req);

/// Append the count_tokens response body `{"input_tokens":n}` to `out`.
void render_anthropic_count_tokens(int64_t n, std::string& out);

}  // namespace openrain::surfaces
