// providers/gemini_thinking.cpp — reasoning control for Gemini upstreams, per model family.
//
// Gemini model families take reasoning control differently (protocols/gemini.md §2, Google's
// model pages): Gemini 2.5 takes a token budget whose range depends on the model (2.5 Pro
// 128..32768 and never 0, Flash 0..24576, Flash-Lite 0 or 512..24576), Gemini 3 takes
// `thinkingLevel` (3 Pro LOW/HIGH, later Pro models LOW/MEDIUM/HIGH, Flash and Flash-Lite also
// MINIMAL) and cannot turn thinking off. The families are the table below (data, first match
// wins); everything else about the mapping is the few rules in resolve_thinking(). Pure
// functions over constant data; thread-safe.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "providers/gemini.hpp"

namespace openrain::providers::gemini_detail {

namespace {

using Control = ThinkingFamily::Control;

constexpr uint8_t kMinimal = 1u << 0;
constexpr uint8_t kLow = 1u << 1;
constexpr uint8_t kMedium = 1u << 2;
constexpr uint8_t kHigh = 1u << 3;
constexpr uint8_t kAllLevels = kMinimal | kLow | kMedium | kHigh;

// prefix, contains, control, min budget, max budget, budget 0 turns thinking off, levels.
constexpr ThinkingFamily kFamilies[] = {
    {"gemini-3-pro", "", Control::Level, 0, 0, false, kLow | kHigh},
    {"gemini-3", "-pro", Control::Level, 0, 0, false, kLow | kMedium | kHigh},
    {"gemini-3", "", Control::Level, 0, 0, false, kAllLevels},
    {"gemini-2.5-pro", "", Control::Budget, 128, 32768, false, 0},
    {"gemini-2.5-flash-lite", "", Control::Budget, 512, 24576, true, 0},
    {"gemini-2.5-flash", "", Control::Budget, 1, 24576, true, 0},
};
// Models the table does not know (2.0 thinking models, `-latest` aliases, tuned models): a
// budget as Gemini 2.5 Flash takes it.
constexpr ThinkingFamily kDefaultFamily = {"", "", Control::Budget, 1, 24576, true, 0};

// Reasoning levels, weakest first, as OpenAI / Gemini name them.
struct Level {
  std::string_view effort;  // canonical reasoning_effort
  uint8_t bit;
  std::string_view wire;    // Gemini thinkingLevel
  int64_t budget;           // the budget this level stands for on budget-controlled models
};
constexpr Level kLevels[] = {
    {"minimal", kMinimal, "MINIMAL", 0},
    {"low", kLow, "LOW", 1024},
    {"medium", kMedium, "MEDIUM", 8192},
    {"high", kHigh, "HIGH", 24576},
};
constexpr size_t kLevelCount = sizeof(kLevels) / sizeof(kLevels[0]);

/// The model id without any resource path ("models/", "tunedModels/", Vertex publishers/...).
std::string_view bare_model(std::string_view model) {
  size_t slash = model.rfind('/');
  return slash == std::string_view::npos ? model : model.substr(slash + 1);
}

bool matches(const ThinkingFamily& f, std::string_view model) {
  if (model.size() < f.prefix.size()) return false;
  for (size_t i = 0; i < f.prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(model[i])) != f.prefix[i]) return false;
  }
  // "gemini-3" names version 3.x, not 30: the prefix must end at a non-digit.
  if (model.size() > f.prefix.size() &&
      std::isdigit(static_cast<unsigned char>(model[f.prefix.size()])) != 0) {
    return false;
  }
  return f.contains.empty() || model.find(f.contains) != std::string_view::npos;
}

/// Index into kLevels of the supported level at or above `want`, else the highest supported.
size_t supported_level(const ThinkingFamily& f, size_t want) {
  for (size_t i = want; i < kLevelCount; ++i) {
    if ((f.levels & kLevels[i].bit) != 0) return i;
  }
  for (size_t i = kLevelCount; i-- > 0;) {
    if ((f.levels & kLevels[i].bit) != 0) return i;
  }
  return want;
}

/// Index into kLevels for a canonical effort; kLevelCount when it is not a level name.
/// "xhigh" / "max" (OpenAI / Anthropic levels above high) are HIGH: Gemini has nothing above.
size_t level_of(std::string_view effort) {
  if (effort == "xhigh" || effort == "max") return kLevelCount - 1;
  for (size_t i = 0; i < kLevelCount; ++i) {
    if (kLevels[i].effort == effort) return i;
  }
  return kLevelCount;
}

/// The level a token budget stands for (the budgets of kLevels are the thresholds).
size_t level_for_budget(int64_t budget) {
  for (size_t i = 1; i < kLevelCount; ++i) {
    if (budget <= kLevels[i].budget) return i;
  }
  return kLevelCount - 1;
}

std::string cannot_disable(std::string_view model, std::string_view used) {
  return "reasoning_effort: '" + std::string(model) + "' cannot turn thinking off; " +
         std::string(used) + " was used instead.";
}

}  // namespace

const ThinkingFamily& thinking_family(std::string_view model) {
  model = bare_model(model);
  for (const ThinkingFamily& f : kFamilies) {
    if (matches(f, model)) return f;
  }
  return kDefaultFamily;
}

ThinkingChoice resolve_thinking(const ChatRequest& req, std::string_view model,
                                TranslationReport& report) {
  ThinkingChoice out;
  const ThinkingFamily& f = thinking_family(model);
  const std::string_view bare = bare_model(model);
  auto report_once = [&](std::string reason) {
    if (std::find(report.dropped.begin(), report.dropped.end(), "reasoning_effort") !=
        report.dropped.end()) {
      return;
    }
    report.dropped.emplace_back("reasoning_effort");
    if (!reason.empty()) report.reasons.push_back(std::move(reason));
  };

  if (req.reasoning_budget_tokens) {
    const int64_t b = *req.reasoning_budget_tokens;
    // A Gemini caller's own thinkingBudget is native: it goes as sent (Gemini 3 still accepts a
    // budget). -1 (dynamic) is valid everywhere.
    if (req.source == Protocol::Gemini || b < 0) {
      out.budget = b;
      return out;
    }
    if (f.control == Control::Budget) {
      out.budget = b == 0 && f.can_disable ? 0 : std::clamp(b, f.min_budget, f.max_budget);
    } else {
      out.level = kLevels[supported_level(f, b == 0 ? 0 : level_for_budget(b))].wire;
    }
    return out;
  }

  const std::string& e = req.reasoning_effort;
  if (e.empty()) return out;
  const bool off = e == "none";
  const size_t want = off ? 0 : level_of(e);
  if (want == kLevelCount) {  // not a level Gemini (or OpenAI) knows
    report_once({});
    return out;
  }
  if (f.control == Control::Level) {
    const Level& l = kLevels[supported_level(f, want)];
    out.level = l.wire;
    if (off) report_once(cannot_disable(bare, "thinkingLevel " + std::string(l.wire)));
    return out;
  }
  if (want == 0) {  // none / minimal: off where the model allows it, else its smallest budget
    if (f.can_disable) {
      out.budget = 0;
    } else {
      out.budget = f.min_budget;
      if (off) report_once(cannot_disable(bare, "thinkingBudget " + std::to_string(f.min_budget)));
    }
    return out;
  }
  int64_t budget = kLevels[want].budget;
  if (e == "xhigh" || e == "max") budget = f.max_budget;  // as much as the model takes
  out.budget = std::clamp(budget, f.min_budget, f.max_budget);
  return out;
}

}  // namespace openrain::providers::gemini_detail
