// surfaces/openai_parts.hpp — content-part decoding shared by the two OpenAI surfaces (Chat
// Completions and Responses), which accept the same text / image payloads under different
// wrappers (`{"type":"image_url","image_url":{"url"}}` vs `{"type":"input_image","image_url"}`).
//
// Owns: text parts, image URLs (http(s) or base64 data URLs) and inline files (`file_data` data
// URLs, e.g. PDFs) → canonical ContentParts, and the function-name pattern check, all with OpenAI's error wording naming the caller's field path.
// Each surface keeps its own wrapper parsing and part-type dispatch. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "json/reader.hpp"
#include "openrain/canonical.hpp"
#include "openrain/status.hpp"

namespace openrain::surfaces::openai_parts {

/// Case-insensitive prefix test; `lower_prefix` must be lower case ("data:", "https://").
bool starts_with_ci(std::string_view s, std::string_view lower_prefix);

/// Non-empty and only base64 / base64url characters (padding allowed).
bool is_base64_payload(std::string_view s);

/// A Text part from the string member `key` of `part` (missing → 400 naming `path.key`).
Result<ContentPart> text_part(json::Object part, std::string_view key, const std::string& path);

/// An Image part from `url`: an http(s) URL, or a base64 data URL split into media type and
/// data. Anything else is a 400 `invalid_image_url` naming `url_path`. `detail` ("auto", "low",
/// "high") is kept when non-empty.
Result<ContentPart> image_part(std::string_view url, std::string_view detail,
                               const std::string& url_path);

/// A File part from `file_data`, a base64 data URL ("data:application/pdf;base64,..."), with an
/// optional `filename`. Anything else is a 400 `invalid_value` naming `data_path`.
Result<ContentPart> file_part(std::string_view file_data, std::string_view filename,
                              const std::string& data_path);

/// OpenAI's function-name rule ^[a-zA-Z0-9_-]{1,64}$, with OpenAI's messages naming `path`.
Status check_function_name(std::string_view name, const std::string& path);

}  // namespace openrain::surfaces::openai_parts
