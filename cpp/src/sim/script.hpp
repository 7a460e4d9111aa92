// sim/script.hpp — the provider simulator's reply scripts: what one simulated upstream answer
// should contain and how it should misbehave.
//
// Owns: Script (a parsed, immutable reply description), parse_script() (JSON → Script, strict:
// unknown keys are errors so a typo in a test fails loudly), and the small helpers that derive
// default token counts. A Script is parsed once when it is queued (never per request) and then
// shared read-only between connections. Thread-safety: plain values; a parsed Script is
// immutable and may be read from any thread.
//
// Script JSON (every key optional):
//   {"text": "Hello!",                 reply text. Default (no text, no tool_calls, no echo):
//                                      "Hello from the OpenRain simulator."
//    "echo": true,                     reply text = text of the last user message of the request
//                                      (its text parts concatenated)
//    "reasoning": "thinking text",     Anthropic: thinking block (signature "sig-<n>"); Gemini: a
//                                      part with "thought": true (the first visible part then carries
//                                      thoughtSignature base64("sig-<n>"), e.g. "c2lnLTE=": proto
//                                      bytes, as on the wire); OpenAI: reasoning_tokens only,
//                                      plus `reasoning_content` deltas / message field when
//    "openai_reasoning_field": "reasoning_content",
//    "tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}],
//                                      arguments: object (minified) or raw string (verbatim); ids
//                                      optional (generated: call_sim<n>_<k>, toolu_sim<n>_<k>)
//    "usage": {"input": 12, "output": 7, "cached": 4, "cache_write": 0, "reasoning": 3},
//                                      canonical counts: input INCLUDES cached + cache_write,
//                                      output INCLUDES reasoning. Defaults: input = (request body
//                                      bytes + 3) / 4, reasoning = est(reasoning text), output =
//                                      max(1, est(text) + est(each tool name + arguments) +
//                                      reasoning), est(s) = (bytes + 3) / 4
//    "finish": "stop" | "length" | "tool_calls" | "content_filter" | "stop_sequence",
//                                      default: tool_calls when tool calls are present, else stop
//    "stop_sequence": "END",           reported by Anthropic with finish stop_sequence
//    "chunks": 8,                      split text (and reasoning) into about this many deltas
//                                      (default: one delta per word, leading space attached)
//    "created": 1700000000,            fixed `created` (default: now) — lets tests compare bytes
//    "ttft_ms": 0, "tokens_per_s": 0, "jitter_ms": 0,
//                                      pacing: streams send their leading frames, wait ttft_ms,
//                                      then space content frames 1000/tokens_per_s ms apart (+ a
//                                      uniform 0..jitter_ms); non-streams wait ttft_ms +
//                                      output*1000/tokens_per_s before the head
//    "status": 429, "error_type": "rate_limit_error", "error_message": "...",
//    "error_code": "rate_limit_exceeded", "retry_after": "2",
//                                      any status >= 400 answers with THAT provider's error body
//    "html": true,                     with status (default 502): text/html body
//    "cut_after_chunks": 3,            stream: send N frames, then close abruptly (no chunked
//                                      terminator); non-stream: send N body bytes, then close
//    "stall_after_chunks": 2, "stall_ms": 60000,
//                                      after N frames (bytes for non-streams) stop sending for
//                                      stall_ms, then continue; a client close ends it early
//    "first_byte_delay_ms": 500,       delay before the response head
//    "midstream_error": {"after_chunks": 2, "type": "overloaded_error", "message": "Overloaded"},
//                                      after N frames send the provider's in-stream error frame,
//                                      end the body and close the connection
//    "replay": {"file": "/abs/path.sse", "content_type": "text/event-stream", "status": 200},
//                                      serve a recorded body byte-exact (read when queued);
//                                      text/event-stream bodies are chunked and split into frames
//                                      at blank lines (so pacing and faults apply per event)
//    "headers": {"x-ratelimit-remaining-requests": "0"},   extra response headers
//    "match": {"model": "m1", "count_tokens": true}}
//                                      only consumed by a request whose model equals `model`;
//                                      count_tokens scripts are consumed only by count-token
//                                      requests and chat requests never consume them
// "Frames" are SSE events (OpenAI, Anthropic including ping, Gemini SSE) or array elements
// (Gemini without alt=sse); every frame counts, structural ones included.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain::sim {

struct ScriptToolCall {
  std::string id;         // empty = generate
  std::string name;
  std::string arguments;  // JSON text (minified object) or a raw string given verbatim
  bool arguments_is_object = false;
};

struct Script {
  bool has_text = false;
  std::string text;
  bool echo = false;
  std::string reasoning;
  std::string openai_reasoning_field;  // "" or e.g. "reasoning_content"
  std::vector<ScriptToolCall> tool_calls;

  // Usage overrides; -1 = derive.
  int64_t usage_input = -1, usage_output = -1, usage_cached = -1, usage_cache_write = -1,
          usage_reasoning = -1;

  std::string finish;         // "" = derive
  std::string stop_sequence;
  int chunks = 0;             // 0 = one per word
  int64_t created = 0;        // 0 = now

  int ttft_ms = 0;
  double tokens_per_s = 0;
  int jitter_ms = 0;

  int status = 0;             // 0 = success
  std::string error_type, error_message, error_code, retry_after;
  bool html = false;

  int cut_after_chunks = -1;
  int stall_after_chunks = -1;
  int stall_ms = 0;
  int first_byte_delay_ms = 0;

  bool has_midstream_error = false;
  int midstream_after_chunks = 0;
  std::string midstream_type, midstream_message;

  bool has_replay = false;
  std::string replay_body;    // file contents, loaded at parse time
  std::string replay_content_type = "text/event-stream";
  int replay_status = 200;

  Headers headers;            // extra response headers

  std::string match_model;    // "" = any
  bool match_count_tokens = false;
};

/// Parse a script. Errors: InvalidRequest naming the offending key (unknown keys included);
/// a replay file that cannot be read.
Result<Script> parse_script(std::string_view json);

/// The builtin reply used when nothing is queued and no default was set.
const Script& builtin_script();

/// Token estimate for `bytes` of text: (bytes + 3) / 4.
inline int64_t estimate_tokens(size_t bytes) { return static_cast<int64_t>((bytes + 3) / 4); }

}  // namespace openrain::sim
