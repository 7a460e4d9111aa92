// providers/carry.hpp — stateless carriage of upstream-only values through a caller's wire format.
//
// Owns two reversible encodings, shared by surfaces (which write and read them) and providers
// (which never see them: surfaces decode before building the ChatRequest):
//   * tool-call ids: the id a caller sees can carry the upstream's own id plus a Gemini
//     thoughtSignature, so a caller on the OpenAI or Anthropic surface that replays the call gives
//     the upstream back exactly what it sent. The Anthropic surface always shows `toolu_` ids.
//     Encoded ids use only [A-Za-z0-9_-] (Anthropic's tool_use.id pattern). No server-side state.
//     Layout: "<prefix>" + escape(id) [+ "-t" + sig], prefix "toolu_or_" (Anthropic) or
//     "call_or_" (others); escape keeps [A-Za-z0-9_] and writes any other byte as "-XX" (upper
//     hex); sig is "b" + the signature in URL-safe base64 without padding when it is canonical
//     standard base64 (what Gemini sends), else "e" + escape(signature). Length: the id grows by
//     about the signature's length (Gemini signatures are typically 100–3000 characters).
//   * reasoning signatures minted by one protocol and shown on another surface's signature slot
//     (Anthropic `thinking.signature`, Gemini bytes-typed `thoughtSignature`): standard base64 of
//     "openrain-sig:" + origin letter + ":" + raw, so it is valid base64 for google-genai and
//     recognisably foreign for every provider (an Anthropic upstream never receives it).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openrain/canonical.hpp"

namespace openrain::providers {

/// A caller-visible tool-call id, decoded.
struct CarriedToolId {
  std::string id;         // the upstream's own id (or the id the caller chose)
  std::string signature;  // Gemini thoughtSignature carried by the id; empty when none
};

/// The id an OpenAI Chat / Responses caller sees: `id` itself when `signature` is empty,
/// otherwise an encoded id carrying both.
std::string caller_tool_id(std::string_view id, std::string_view signature);

/// The id an Anthropic Messages caller sees: always ^toolu_[A-Za-z0-9_-]+$. An Anthropic-style
/// `toolu_` id without a signature is kept verbatim; anything else is encoded.
std::string anthropic_tool_id(std::string_view id, std::string_view signature);

/// Inverse of caller_tool_id / anthropic_tool_id (either prefix). Any other id, or a malformed
/// encoding, decodes to itself with no signature.
CarriedToolId parse_tool_id(std::string_view shown);

/// True for ids minted by synth_tool_id ("call_" + 16 lower-case hex digits): the upstream sent
/// none, so none must be sent back.
bool is_synth_tool_id(std::string_view id);

/// Wrap a reasoning signature minted by `origin` for display on another protocol's surface.
/// An empty `raw` still yields a (recognisable) non-empty value.
std::string wrap_signature(Protocol origin, std::string_view raw);

struct CarriedSignature {
  Protocol origin = Protocol::Anthropic;
  std::string raw;
};
/// Inverse of wrap_signature; nullopt when `shown` is not a wrapped signature.
std::optional<CarriedSignature> unwrap_signature(std::string_view shown);

/// Standard base64 (RFC 4648 §4, padded).
std::string base64_encode(std::string_view bytes);
/// Decode standard or URL-safe base64 (padding optional); nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace openrain::providers
