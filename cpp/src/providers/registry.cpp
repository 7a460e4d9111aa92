// providers/registry.cpp — the only place that knows the list of provider implementations.
#include "providers/anthropic.hpp"
#include "providers/gemini.hpp"
#include "providers/openai.hpp"
#include "providers/provider.hpp"

namespace openrain::providers {

const Provider& provider_for(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::OpenAI:
    case ProviderKind::OpenAICompatible: return openai_provider();
    case ProviderKind::Anthropic: return anthropic_provider();
    case ProviderKind::Gemini: return gemini_provider();
  }
  return openai_provider();
}

}  // namespace openrain::providers
