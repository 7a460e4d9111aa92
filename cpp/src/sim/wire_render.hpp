// sim/wire_render.hpp — renders a scripted reply in each provider's own wire format.
//
// Owns: the simulator's independent renderers for OpenAI Chat Completions, Anthropic Messages and
// Gemini generateContent / streamGenerateContent (SSE with CRLF separators and `": "` spacing, or
// the JSON-array stream), their error bodies, in-stream error frames and count-tokens answers.
// These renderers are written from the recorded traffic in /work/shared/fixtures, NOT from the
// gateway's surfaces, so gateway tests against the simulator are tests that can fail. Layouts
// follow the recordings (key order, OpenAI/Gemini non-stream pretty-printing with 2-space indent,
// Anthropic compact, Gemini "\r\n\r\n"); Anthropic's trailing-space padding is not reproduced.
// Pure functions over a Script and a RenderContext: no I/O, no shared state; a Reply is reused by
// one connection to keep allocation off the hot path. Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/script.hpp"

namespace openrain::sim {

enum class Wire : uint8_t { OpenAIChat, Anthropic, Gemini };
const char* wire_name(Wire w);

/// What the renderer needs to know about the request being answered.
struct RenderContext {
  Wire wire = Wire::OpenAIChat;
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
  bool gemini_sse = true;      // Gemini stream framing: SSE (alt=sse) or one JSON array
  std::string_view model;      // echoed as `model` / Gemini `modelVersion`
  std::string_view echo_text;  // used as the reply text when script.echo
  int64_t prompt_tokens = 1;   // default input token count
  uint64_t serial = 1;         // 1-based response number: ids, request ids, signatures
  int64_t now = 0;             // unix seconds, used when script.created == 0
};

/// One frame of a streamed body: [previous end, end) of Reply::body. `content` frames carry a
/// text / reasoning / argument delta and are the ones pacing spaces out.
struct Frame {
  uint32_t end = 0;
  bool content = false;
};

struct Reply {
  int status = 200;
  std::string content_type;
  std::string head_extra;      // extra header lines, each "name: value\r\n"
  bool chunked = false;        // stream: chunked transfer encoding, `frames` filled
  bool close_after = false;    // close the connection after the body (in-stream error)
  std::string body;
  std::vector<Frame> frames;
  int64_t output_tokens = 0;   // for non-stream pacing

  void clear() {
    status = 200;
    content_type.clear();
    head_extra.clear();
    chunked = close_after = false;
    body.clear();
    frames.clear();
    output_tokens = 0;
  }
};

/// Render `script` as the answer to a request described by `ctx`: a success body or stream, a
/// scripted HTTP error (`status`), an HTML page (`html`) or a replayed recording (`replay`).
/// `midstream_error` is applied here (frames truncated, error frame appended, close_after set);
/// cut / stall / pacing are the server's job.
void render_reply(const Script& script, const RenderContext& ctx, Reply& out);

/// Render an HTTP error in the provider's native body. Empty `type` / `message` / `code` pick
/// per-status defaults; `retry_after` (seconds) adds `retry-after` (OpenAI, Anthropic) or a
/// google.rpc.RetryInfo detail (Gemini). A Gemini array-mode stream gets the one-element array.
void render_error(const RenderContext& ctx, int status, std::string_view type,
                  std::string_view message, std::string_view code, std::string_view retry_after,
                  Reply& out);

/// Anthropic {"input_tokens":N} / Gemini {"totalTokens": N, "promptTokensDetails": [...]}.
void render_count_tokens(const RenderContext& ctx, int64_t tokens, Reply& out);

/// Split `text` into stream deltas: about `chunks` equal pieces (UTF-8 safe) when chunks > 0,
/// otherwise one piece per word with its leading whitespace. Empty text gives no pieces.
void split_text(std::string_view text, int chunks, std::vector<std::string_view>& out);

/// Split tool-call arguments into at most 4 fragments of >= 8 bytes (UTF-8 safe).
void split_arguments(std::string_view args, std::vector<std::string_view>& out);

}  // namespace openrain::sim
