// libFuzzer target: every caller-facing request parser must answer arbitrary bytes with a
// ChatRequest or a clean Error — never a crash, leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "surfaces/anthropic_messages.hpp"
#include "surfaces/gemini_generate.hpp"
#include "surfaces/openai_chat.hpp"
#include "surfaces/openai_responses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  openrain::HttpRequest req;
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace openrain::surfaces;
  switch (data[0] % 4) {
    case 0: req.path = "/v1/chat/completions"; (void)openai_chat_surface().parse_request(req); break;
    case 1: req.path = "/v1/messages"; (void)anthropic_messages_surface().parse_request(req); break;
    case 2: req.path = "/v1/responses"; (void)openai_responses_surface().parse_request(req); break;
    default:
      req.path = "/v1beta/models/m:generateContent";
      (void)gemini_generate_surface().parse_request(req);
  }
  return 0;
}
