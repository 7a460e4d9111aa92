// bindings/engine_handle.hpp — the Python-owned engine (shared by engine.cpp and server.cpp).
//
// Owns one openrain::Engine plus a shared "stopped" flag that Exchanges poll between wait
// slices, so a wait on an exchange whose engine was stopped ends with CancelledError instead of
// hanging. Thread-safety: methods are called with the GIL held; they release it around engine
// calls.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common.hpp"
#include "openrain/engine.hpp"

namespace openrain::bindings {

class EngineHandle {
 public:
  /// Parse `config_json` (ConfigError on failure) and create the engine; threads < 0 = config.
  EngineHandle(const std::string& config_json, int threads);
  ~EngineHandle();
  EngineHandle(const EngineHandle&) = delete;
  EngineHandle& operator=(const EngineHandle&) = delete;

  Engine& engine();
  void start();
  void stop();
  bool stopped() const { return stopped_->load(std::memory_order_acquire); }
  const std::shared_ptr<std::atomic<bool>>& stopped_flag() const { return stopped_; }

 private:
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace openrain::bindings
