// providers/common.hpp — small pure helpers shared by provider adapters.
//
// Owns: data-URL splitting, tool-call id normalisation (ids that satisfy every provider's pattern
// and stay paired between a call and its result), deterministic id synthesis for upstreams that
// return none (Gemini), and base64 validation. Pure functions; thread-safe.
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

/// Map any id to one matching ^[a-zA-Z0-9_-]{1,64}$ deterministically (same input → same output),
/// so a call id and the result id referring to it stay paired after translation.
std::string safe_tool_id(std::string_view id);

/// Deterministic id for the `index`-th tool call of a response whose identity is `seed`
/// (e.g. the upstream response id): "call_<16 hex>".
std::string synth_tool_id(std::string_view seed, int index);

/// 64-bit FNV-1a, for deterministic ids.
uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull);

}  // namespace openrain::providers
