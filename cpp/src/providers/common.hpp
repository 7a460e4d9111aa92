// providers/common.hpp — small pure helpers shared by provider adapters.
//
// Owns: data-URL splitting, image type sniffing, tool-call id normalisation (ids that satisfy
// every provider's pattern and stay paired between a call and its result), deterministic id
// synthesis for upstreams that return none (Gemini), the one secret scrubber for upstream text,
// and the sanitised snippet of a non-JSON upstream error body. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openrain::providers {

struct DataUrl {
  std::string media_type;  // "image/png"
  std::string data;        // base64 payload
};
/// Split "data:<media>;base64,<payload>". nullopt when not a base64 data URL.
std::optional<DataUrl> parse_data_url(std::string_view url);

/// The image type the bytes of base64 `data` (standard or URL-safe alphabet) say they are:
/// "image/png", "image/jpeg", "image/gif" or "image/webp" from their magic numbers; "" when the
/// bytes are none of these (or not base64).
std::string sniff_image_media_type(std::string_view data);

/// The one secret scrubber for upstream text that can reach a client or a log line (error
/// messages, codes, types, params, snippets), used by every provider. Each match becomes
/// "[redacted]":
///   - every occurrence of `api_key` (when at least 4 bytes);
///   - the value of a `...key=` parameter (echoed request URLs: `?key=...`, `api_key=...`);
///   - the credential after "Bearer " (8 or more token characters with a digit, or 20 or more);
///   - key-shaped tokens: a known key prefix ("sk-" / "sk_" incl. sk-ant- and sk-proj-, "AIza",
///     "ya29.", "gsk_", "xai-", "pplx-", "hf_") at a word start plus 6 or more key characters
///     (letters, digits, '-', '_', and '*' so a partly masked echo goes whole);
///   - opaque token runs: 20 or more characters of letters, digits, '-', '_', '+', '*'
///     mixing letters and digits, with a piece of 8 or more mixed letters and digits between
///     separators, unless the run starts with a known id prefix (req_, msg_, toolu_, chatcmpl-,
///     call_, resp_, org-, ...) or is a UUID.
/// So ordinary words, field paths ("messages.0.content"), model names ("gpt-4o-mini-2024-07-18",
/// "claude-sonnet-4-20250514") and request / object ids ("req_011CSHoE...") survive.
std::string scrub_secrets(std::string_view text, std::string_view api_key);

/// A short, single-line, printable-ASCII summary of a non-JSON upstream error body (an HTML page
/// from a proxy or load balancer, a plain-text message) for an error message: the HTML <title>
/// when there is one, otherwise the text with tags removed, whitespace collapsed, at most
/// `max_len` characters ("..." marks a cut). Nothing that could be a secret survives: the text
/// goes through scrub_secrets (before the cut, so no prefix of a secret is left either).
/// Empty when nothing readable is left.
std::string error_body_snippet(std::string_view body, std::string_view api_key,
                               size_t max_len = 160);

/// Map any id to one matching ^[a-zA-Z0-9_-]{1,64}$ deterministically (same input → same output),
/// so a call id and the result id referring to it stay paired after translation.
std::string safe_tool_id(std::string_view id);

/// Deterministic id for the `index`-th tool call of a response whose identity is `seed`
/// (e.g. the upstream response id): "call_<16 hex>".
std::string synth_tool_id(std::string_view seed, int index);

/// 64-bit FNV-1a, for deterministic ids.
uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull);

}  // namespace openrain::providers
