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
//   * Orphan tool results. Every upstream also rejects a result that answers no call of the
//     assistant message before it (Anthropic: "unexpected `tool_use_id` found in `tool_result`
//     blocks"; OpenAI: "messages with role 'tool' must be a response to a preceding message with
//     'tool_calls'"), a 400 that names neither the message nor the fix. This happens after a
//     client trims or compacts history and keeps a result whose call it dropped. A result is
//     legitimate when its id is one of the calls of the nearest assistant message before it and
//     no earlier result since that message answered the same call (a late one is moved up, see
//     above). Any other result keeps its place and its content but becomes a user message: one
//     text part saying which call and tool it came from, followed by the result's own parts. Its
//     role change is reported as `messages[i].role` with the call id, so the loss header shows it
//     and strict mode turns it into a 400 naming the message. The conversation keeps working and
//     the model still sees the output.
// Pure functions over owned values; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "openrain/canonical.hpp"
#include "openrain/status.hpp"
#include "providers/provider.hpp"

namespace openrain::providers {

/// Text of the result synthesized for a tool call the caller never answered.
inline constexpr std::string_view kOrphanResultText =
    "No result was provided for this tool call (it was interrupted or never run).";

/// A 400 when `req` declares a tool `upstream` cannot take (see the header); nothing changes.
Status check_tool_kinds(const ChatRequest& req, Protocol upstream);

/// Give every assistant tool call a result directly after its message (see the header).
/// Returns the number of results synthesized.
size_t answer_orphan_tool_calls(ChatRequest& req);

/// Turn every tool result that answers no call of the assistant message before it into user
/// text (see the header), reporting each as `messages[i].role` in `report`. Runs on the caller's
/// order, before answer_orphan_tool_calls. Returns the number of results converted.
size_t convert_orphan_tool_results(ChatRequest& req, TranslationReport& report);

/// The text part an orphan tool result starts with: which call and tool it answers.
std::string orphan_result_heading(const Message& result);

/// All policies, in order (tool kinds, orphan results, orphan calls): what the pipeline runs
/// before Provider::build_request. Conversions are recorded in `report`.
Status apply_request_policy(ChatRequest& req, Protocol upstream, TranslationReport& report);

}  // namespace openrain::providers
