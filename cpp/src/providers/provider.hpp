// providers/provider.hpp — the upstream-facing half of the hub.
//
// A Provider owns one upstream wire format: it encodes a ChatRequest into that upstream's native
// HTTP request (system placement, role merging, tools, images, ids, required fields, quirks),
// decodes the upstream's response bytes — streamed or not — into canonical StreamEvents, and
// classifies upstream errors into the one taxonomy. Providers contain no framing code (they use
// sse::Framer), no retries and no I/O. Provider objects are stateless and shared by all threads;
// decoders are per-request and single-threaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/canonical.hpp"
#include "openrain/config.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain::providers {

struct UpstreamRequest {
  std::string method = "POST";
  std::string path;      // path + query appended to the provider base URL path
  Headers headers;       // including auth and content-type
  std::string body;
  bool stream = false;   // upstream will answer with a stream
};

/// Request fields the upstream cannot honour (dropped or approximated), for the loss report.
struct TranslationReport {
  std::vector<std::string> dropped;  // field paths (x-openrain-dropped-fields)
  std::vector<std::string> reasons;  // optional explanations, added to the strict-mode 400
};

class ResponseDecoder {
 public:
  virtual ~ResponseDecoder() = default;
  /// Feed the next bytes of a 2xx response body (any split). Emits zero or more events.
  /// A returned error (e.g. undecodable JSON) is terminal.
  virtual Status feed(std::string_view bytes, EventSink& sink) = 0;
  /// The body ended. Emits trailing events; returns StreamInterrupted if the response was cut
  /// before its natural end (no finish seen).
  virtual Status finish(EventSink& sink) = 0;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual Protocol protocol() const = 0;
  /// Encode `req` for deployment `d`. Unsupported-but-required features are errors naming the
  /// field (UnsupportedParameter, 400); lossy translations are recorded in `report`.
  virtual Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                                TranslationReport& report) const = 0;
  virtual std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                                        bool streaming) const = 0;
  /// Classify a non-2xx upstream answer. Never copies secrets into the Error.
  virtual Error classify_error(int status, const Headers& headers, std::string_view body,
                               const Deployment& d) const = 0;
  /// The headers of a 2xx upstream answer worth passing on to the caller (the provider's own
  /// rate-limit family, as on errors), lower-case names. Never credentials. Default: none.
  virtual Headers forwarded_response_headers(const Headers& upstream) const {
    (void)upstream;
    return {};
  }
};

/// Return the shared provider implementation for `kind` (static lifetime).
const Provider& provider_for(ProviderKind kind);

}  // namespace openrain::providers
