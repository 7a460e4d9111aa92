// sim/render_common.hpp — internal helpers shared by the simulator's wire renderers
// (wire_render.cpp: OpenAI + Anthropic + dispatch; wire_render_gemini.cpp: Gemini). Not part of
// the simulator's API. Thread-safety: reentrant.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

#include "sim/styled_json.hpp"
#include "sim/wire_render.hpp"

namespace openrain::sim::detail {

/// A short id such as "chatcmpl-sim12" without heap allocation.
struct Id {
  char buf[64];
  size_t n = 0;
  Id(std::string_view prefix, uint64_t serial, int sub = -1) {
    n = std::min(prefix.size(), sizeof buf - 48);
    std::copy_n(prefix.data(), n, buf);
    n = static_cast<size_t>(std::to_chars(buf + n, buf + sizeof buf, serial).ptr - buf);
    if (sub >= 0) {
      buf[n++] = '_';
      n = static_cast<size_t>(std::to_chars(buf + n, buf + sizeof buf, sub).ptr - buf);
    }
  }
  std::string_view view() const { return {buf, n}; }
};

/// Everything derived from (script, context) once per reply.
struct Plan {
  std::string_view text;
  bool text_block = false;  // render a text block / delta sequence
  int64_t in = 0, out = 0, cached = 0, cache_write = 0, reasoning = 0;
  std::string_view finish;  // canonical: stop | length | tool_calls | content_filter | stop_sequence
  int64_t created = 0;
};

Plan make_plan(const Script& s, const RenderContext& ctx);
/// Close the frame that ends at the current body size.
void end_frame(Reply& r, bool content);
/// Append "name: value\r\n" to the reply's extra head lines.
void add_header(Reply& r, std::string_view name, std::string_view value);
/// Advance `i` to a UTF-8 sequence boundary.
size_t utf8_boundary(std::string_view s, size_t i);
/// Re-emit JSON `text` in the writer's style; invalid or non-object text becomes {}.
void emit_args_object(StyledWriter& w, std::string_view text);

// Gemini (wire_render_gemini.cpp).
void gemini_nonstream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r);
void gemini_stream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r);
void gemini_midstream_error(const RenderContext& ctx, std::string_view type,
                            std::string_view message, Reply& r);
void gemini_error(const RenderContext& ctx, int status, std::string_view type,
                  std::string_view message, std::string_view retry_after, Reply& r);

}  // namespace openrain::sim::detail
