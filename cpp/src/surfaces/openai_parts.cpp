#include "surfaces/openai_parts.hpp"

#include <string>
#include <utility>

#include "providers/common.hpp"

namespace openrain::surfaces::openai_parts {

namespace {

Error bad_value(const std::string& path, std::string message, std::string code = "invalid_value") {
  return Error::invalid(std::move(message), path, std::move(code));
}

}  // namespace

bool starts_with_ci(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

bool is_base64_payload(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<ContentPart> text_part(json::Object part, std::string_view key, const std::string& path) {
  auto text = json::opt_string(part, key, path);
  if (!text.ok()) return text.take_error();
  if (!text.value()) {
    const std::string field = json::path_key(path, key);
    return Error::invalid("Missing required parameter: '" + field + "'.", field,
                          "missing_required_parameter");
  }
  ContentPart p;
  p.text = std::string(*text.value());
  return p;
}

Result<ContentPart> image_part(std::string_view url, std::string_view detail,
                               const std::string& url_path) {
  ContentPart p;
  p.kind = ContentPart::Kind::Image;
  if (starts_with_ci(url, "data:")) {
    auto d = providers::parse_data_url(url);
    if (!d || !is_base64_payload(d->data)) {
      return bad_value(url_path,
                       "Invalid '" + url_path +
                           "': expected a base64-encoded data URL such as "
                           "'data:image/png;base64,...'.",
                       "invalid_image_url");
    }
    p.media_type = std::move(d->media_type);
    p.data = std::move(d->data);
  } else if (starts_with_ci(url, "http://") || starts_with_ci(url, "https://")) {
    p.url = std::string(url);
  } else {
    return bad_value(url_path,
                     "Invalid '" + url_path +
                         "': expected an http(s) URL or a base64-encoded data URL.",
                     "invalid_image_url");
  }
  p.detail = std::string(detail);
  return p;
}

Result<ContentPart> file_part(std::string_view file_data, std::string_view filename,
                              const std::string& data_path) {
  auto d = providers::parse_data_url(file_data);
  if (!d || !is_base64_payload(d->data)) {
    return bad_value(data_path, "Invalid '" + data_path +
                                    "': expected a base64-encoded data URL such as "
                                    "'data:application/pdf;base64,...'.");
  }
  ContentPart p;
  p.kind = ContentPart::Kind::File;
  p.media_type = std::move(d->media_type);
  p.data = std::move(d->data);
  p.filename = std::string(filename);
  return p;
}

Status check_function_name(std::string_view name, const std::string& path) {
  if (name.size() > 64) {
    return bad_value(path,
                     "Invalid '" + path +
                         "': string too long. Expected a string with maximum length 64, but got a "
                         "string with length " +
                         std::to_string(name.size()) + " instead.",
                     "string_above_max_length");
  }
  bool ok = !name.empty();
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-');
  }
  if (!ok) {
    return bad_value(path, "Invalid '" + path +
                               "': string does not match pattern. Expected a string that matches "
                               "the pattern '^[a-zA-Z0-9_-]+$'.");
  }
  return {};
}

}  // namespace openrain::surfaces::openai_parts
