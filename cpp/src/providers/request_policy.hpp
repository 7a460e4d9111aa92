// providers/request_policy.hpp — rules every upstream request obeys, applied once to the
// canonical request before any provider builds from it (so no provider re-implements them).
//
// Owns two policies:
//   * Tool kinds. A ToolDef of kind Server (an Anthropic server tool such as
//     web_search_20250305) runs inside the upstream of the protocol it came from; only a provider
//     of that protocol can declare it. For any other upstream the request is a 400
//     (UnsupportedParameter) naming the tool (`tools[i]`, its name and type) — the tool is
//     never declared as a parameterless function and never dropped, so a tool_choice that names
//     it can never point at a tool the translation removed. Strict or not, the answer is the same.
//   * Orphan tool calls. Every upstream rejects an assistant tool call whose result does not
//     follow it (Anthropic: "tool_use ids were found without tool_result blocks immediately
//     after"; Gemini: "number of function response parts ..."; OpenAI: "tool_calls must be
//     followed by tool messages"). For each assistant message with tool calls, the results are
//     the run of Tool messages directly after it. A call missing from that run gets its result
//     moved there when it appears later (before the next assistant message); otherwise a
//     synthesized error result (is_error, text kOrphanResultText) is inserted at the end of the
//     run. Callers' own results are never altered.
// Pure functions over owned values; thread-safe.
#pragma once

#include <string_view>

#include "openrain/canonical.hpp"
#include "openrain/status.hpp"

namespace openrain::providers {

/// Text of the result synthesized for a tool call the caller never answered.
inline constexpr std::string_view kOrphanResultText =
    "No result was provided for this tool call (it was interrupted or never run).";

/// A 400 when `req` declares a tool `upstream` cannot take (see the header); nothing changes.
Status check_tool_kinds(const ChatRequest& req, Protocol upstream);

/// Give every assistant tool call a result directly after its message (see the header).
/// Returns the number of results synthesized.
size_t answer_orphan_tool_calls(ChatRequest& req);

/// Both policies, in order: what the pipeline runs before Provider::build_request.
Status apply_request_policy(ChatRequest& req, Protocol upstream);

}  // namespace openrain::providers
