"""Config loading and validation: messages name the file, the key path and the problem."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from openrain.config import (
    QUIRK_DEFAULTS,
    GatewayConfig,
    Model,
    Provider,
    ServerOptions,
    Timeouts,
    demo_config,
    load_config,
)
from openrain.errors import ConfigError, InvalidRequestError

ENV = {"OPENAI_API_KEY": "sk-test-openai-123", "ANTHROPIC_API_KEY": "sk-ant-test-456"}

GOOD = """\
providers:
  - name: openai
    kind: openai
    base_url: https://api.openai.com
    api_key: os.environ/OPENAI_API_KEY
    quirks: {supports_stream_options: false}
    timeouts: {connect_ms: 5000, first_byte_ms: 60000, idle_ms: 60000, total_ms: 600000}
  - name: anthropic
    kind: anthropic
    base_url: https://api.anthropic.com
    api_key: ${ANTHROPIC_API_KEY}
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {model: openai/gpt-4o-mini}
  - model_name: claude
    provider: anthropic
    model: claude-sonnet-4-5
server: {host: 127.0.0.1, port: 8080}
"""


@pytest.fixture(autouse=True)
def in_tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # config files are named relatively, as users usually do


def write(tmp_path: Path, text: str, name: str = "openrain.yaml") -> Path:
    (tmp_path / name).write_text(textwrap.dedent(text))
    return Path(name)


def load_error(tmp_path: Path, text: str, env=ENV) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env)
    return str(info.value)


def test_good_config_loads(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD), env=ENV)
    assert [p.name for p in cfg.providers] == ["openai", "anthropic"]
    openai = cfg.provider("openai")
    assert openai.kind == "openai"
    assert openai.base_url == "https://api.openai.com"
    assert openai.api_key == "sk-test-openai-123"
    assert openai.quirks == {"supports_stream_options": False}
    assert openai.timeouts == Timeouts(connect_ms=5000, first_byte_ms=60000, idle_ms=60000, total_ms=600000)
    assert cfg.provider("anthropic").api_key == "sk-ant-test-456"
    assert cfg.models == (
        Model(alias="gpt-4o-mini", provider="openai", model="gpt-4o-mini"),
        Model(alias="claude", provider="anthropic", model="claude-sonnet-4-5"),
    )
    assert cfg.server == ServerOptions(host="127.0.0.1", port=8080)
    assert cfg.source == "openrain.yaml"


def test_model_id_may_contain_slashes(tmp_path: Path) -> None:
    text = GOOD.replace("openai/gpt-4o-mini", "openai/meta-llama/llama-3-70b")
    cfg = load_config(write(tmp_path, text), env=ENV)
    assert cfg.model("gpt-4o-mini").model == "meta-llama/llama-3-70b"


def test_flat_model_reference(tmp_path: Path) -> None:
    text = GOOD.replace("    litellm_params: {model: openai/gpt-4o-mini}", "    model: openai/gpt-4o-mini")
    cfg = load_config(write(tmp_path, text), env=ENV)
    assert cfg.model("gpt-4o-mini") == Model(alias="gpt-4o-mini", provider="openai", model="gpt-4o-mini")


def test_undefined_provider_names_file_path_and_known(tmp_path: Path) -> None:
    text = GOOD.replace("model: claude-sonnet-4-5", "model: x").replace(
        "  - model_name: claude\n    provider: anthropic\n    model: x",
        "  - model_name: claude\n    litellm_params: {model: antropic/claude-sonnet-4-5}")
    msg = load_error(tmp_path, text)
    assert msg == ("openrain.yaml: model_list[1].litellm_params.model: provider 'antropic' is not defined "
                   "(did you mean 'anthropic'?) (known: openai, anthropic)")


def test_flat_undefined_provider(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("provider: anthropic", "provider: nope"))
    assert msg == "openrain.yaml: model_list[1].provider: provider 'nope' is not defined (known: openai, anthropic)"


def test_unknown_key_with_did_you_mean(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("    base_url: https://api.anthropic.com",
                                            "    base_url: https://api.anthropic.com\n    api_kee: x"))
    assert msg.startswith("openrain.yaml: providers[1].api_kee: unknown key 'api_kee' (did you mean 'api_key'?)")


def test_litellm_api_base_hint(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("base_url: https://api.anthropic.com", "api_base: https://api.anthropic.com"))
    assert msg.startswith("openrain.yaml: providers[1].api_base: unknown key 'api_base' (did you mean 'base_url'?)")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD + "modle_list: []\n")
    assert msg.startswith("openrain.yaml: modle_list: unknown key 'modle_list' (did you mean 'model_list'?)")


def test_litellm_sections_are_rejected_explicitly(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD + "router_settings: {num_retries: 2}\n")
    assert msg.startswith("openrain.yaml: router_settings: LiteLLM section 'router_settings' is not supported")


def test_unknown_quirk(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("supports_stream_options: false", "supports_stream_option: false"))
    assert msg.startswith("openrain.yaml: providers[0].quirks.supports_stream_option: unknown key "
                          "'supports_stream_option' (did you mean 'supports_stream_options'?)")


def test_quirk_type_is_checked(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("supports_stream_options: false", "supports_stream_options: 'no'"))
    assert msg == "openrain.yaml: providers[0].quirks.supports_stream_options: must be a boolean, got 'no'"


def test_missing_env_var_names_variable(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD, env={"ANTHROPIC_API_KEY": "x"})
    assert msg == "openrain.yaml: providers[0].api_key: environment variable OPENAI_API_KEY is not set"


def test_missing_env_var_braces_form(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD, env={"OPENAI_API_KEY": "x"})
    assert msg == "openrain.yaml: providers[1].api_key: environment variable ANTHROPIC_API_KEY is not set"


def test_literal_key_is_never_echoed(tmp_path: Path) -> None:
    text = GOOD.replace("api_key: os.environ/OPENAI_API_KEY", "api_key: 12345678901234")
    msg = load_error(tmp_path, text)
    assert msg == "openrain.yaml: providers[0].api_key: must be a string, got a non-string value"
    assert "12345678901234" not in msg


def test_api_key_not_in_repr(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD), env=ENV)
    assert "sk-test-openai-123" not in repr(cfg)
    assert "sk-test-openai-123" not in cfg.summary()


def test_unknown_kind(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("kind: anthropic", "kind: antropic"))
    assert msg == ("openrain.yaml: providers[1].kind: unknown provider kind 'antropic' (did you mean 'anthropic'?); "
                   "expected one of openai, openai_compatible, anthropic, gemini")


def test_bad_base_url(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("https://api.anthropic.com", "api.anthropic.com"))
    assert msg == "openrain.yaml: providers[1].base_url: must be an http:// or https:// URL, got 'api.anthropic.com'"


def test_bad_timeout(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("connect_ms: 5000", "connect_ms: -1"))
    assert msg == "openrain.yaml: providers[0].timeouts.connect_ms: must be a positive integer (milliseconds), got -1"


def test_duplicate_provider(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("name: anthropic", "name: openai").replace(
        "provider: anthropic", "provider: openai"))
    assert msg == "openrain.yaml: providers[1].name: duplicate provider name 'openai' (already used by providers[0])"


def test_duplicate_alias(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("model_name: claude", "model_name: gpt-4o-mini"))
    assert msg == ("openrain.yaml: model_list[1].model_name: duplicate model_name 'gpt-4o-mini' "
                   "(already defined by model_list[0])")


def test_duplicate_yaml_key_reports_line(tmp_path: Path) -> None:
    text = GOOD.replace("    kind: anthropic\n", "    kind: anthropic\n    kind: openai\n")
    msg = load_error(tmp_path, text)
    assert msg == "openrain.yaml:10: duplicate key 'kind'"


def test_invalid_yaml_reports_position(tmp_path: Path) -> None:
    msg = load_error(tmp_path, "providers: [\n")
    assert msg.startswith("openrain.yaml:2:1: invalid YAML:")


def test_both_reference_forms_rejected(tmp_path: Path) -> None:
    text = GOOD.replace("    litellm_params: {model: openai/gpt-4o-mini}",
                        "    litellm_params: {model: openai/gpt-4o-mini}\n    provider: openai")
    msg = load_error(tmp_path, text)
    assert msg == ("openrain.yaml: model_list[0]: use either litellm_params.model or the flat provider/model keys, "
                   "not both")


def test_reference_without_provider_prefix(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("openai/gpt-4o-mini", "gpt-4o-mini"))
    assert msg == ("openrain.yaml: model_list[0].litellm_params.model: 'gpt-4o-mini' must be "
                   "'<provider>/<model>' (known providers: openai, anthropic)")


def test_server_port_range(tmp_path: Path) -> None:
    msg = load_error(tmp_path, GOOD.replace("port: 8080", "port: 70000"))
    assert msg == "openrain.yaml: server.port: must be an integer in 0..65535, got 70000"


def test_empty_file(tmp_path: Path) -> None:
    msg = load_error(tmp_path, "")
    assert msg == "openrain.yaml: the configuration is empty (expected 'providers' and 'model_list')"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "absent.yaml")
    assert str(info.value).startswith(str(tmp_path / "absent.yaml") + ": cannot read config file")


def test_message_names_the_path_as_given(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "prod.yaml").write_text("providers: []\n")
    with pytest.raises(ConfigError) as info:
        load_config("conf/prod.yaml")
    assert str(info.value) == "conf/prod.yaml: providers: at least one provider is required"


def test_config_error_is_invalid_request_and_value_error() -> None:
    assert issubclass(ConfigError, InvalidRequestError)
    assert issubclass(ConfigError, ValueError)


def test_to_engine_json_shape(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD), env=ENV)
    doc = json.loads(cfg.to_engine_json())
    assert set(doc) == {"providers", "models", "server"}
    p0 = doc["providers"][0]
    assert p0 == {
        "name": "openai",
        "kind": "openai",
        "base_url": "https://api.openai.com",
        "api_key": "sk-test-openai-123",
        "verify_tls": True,
        "ca_file": "",
        "default_max_tokens": 4096,
        "max_response_bytes": 64 << 20,
        "timeouts": {"connect_ms": 5000, "first_byte_ms": 60000, "idle_ms": 60000, "total_ms": 600000},
        "quirks": {**QUIRK_DEFAULTS, "supports_stream_options": False},
        "extra_headers": {},
    }
    assert set(p0["quirks"]) == {
        "supports_stream_options", "usage_on_finish_chunk", "tool_call_index_missing",
        "supports_developer_role", "max_tokens_legacy", "reasoning_field", "supports_json_schema",
        "supports_json_object", "tool_call_id_9_alnum",
    }
    assert doc["models"] == [
        {"alias": "gpt-4o-mini", "provider": "openai", "model": "gpt-4o-mini", "strict": False},
        {"alias": "claude", "provider": "anthropic", "model": "claude-sonnet-4-5", "strict": False},
    ]
    assert doc["server"] == {"host": "127.0.0.1", "port": 8080, "threads": 0, "max_request_bytes": 32 << 20,
                             "stream_keepalive_ms": 10_000}


def test_config_built_in_code() -> None:
    cfg = GatewayConfig(
        providers=[Provider(name="local", kind="openai_compatible", base_url="http://127.0.0.1:9000/v1",
                            quirks={"reasoning_field": "reasoning_content", "max_tokens_legacy": True},
                            timeouts={"connect_ms": 100})],
        models=[Model(alias="m", provider="local", model="qwen", strict=True)],
        server=ServerOptions(port=0, threads=2),
    )
    doc = json.loads(cfg.to_engine_json())
    assert doc["providers"][0]["quirks"]["reasoning_field"] == "reasoning_content"
    assert doc["providers"][0]["quirks"]["max_tokens_legacy"] is True
    assert doc["providers"][0]["timeouts"] == {"connect_ms": 100, "first_byte_ms": 60000, "idle_ms": 60000,
                                               "total_ms": 600000}
    assert doc["models"][0]["strict"] is True
    assert isinstance(cfg.providers, tuple)


def test_code_config_validation() -> None:
    with pytest.raises(ConfigError) as info:
        GatewayConfig(providers=[Provider(name="a", kind="openai", base_url="http://x")],
                      models=[Model(alias="m", provider="b", model="x")])
    assert str(info.value) == "models[0].provider: provider 'b' is not defined (known: a)"
    with pytest.raises(ConfigError) as info:
        Provider(name="a", kind="openai", base_url="http://x", quirks={"nope": True})
    assert str(info.value).startswith("provider 'a'.quirks.nope: unknown key 'nope'")
    with pytest.raises(ConfigError):
        Provider(name="a", kind="azure", base_url="http://x")


def test_config_objects_are_frozen() -> None:
    m = Model(alias="m", provider="p", model="x")
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        m.alias = "other"  # type: ignore[misc]


def test_demo_config_adds_real_providers_when_keys_set() -> None:
    offline = demo_config(mock_port=12345, env={})
    assert [p.name for p in offline.providers] == ["sim-openai", "sim-anthropic", "sim-gemini"]
    assert {p.kind for p in offline.providers} == {"openai", "anthropic", "gemini"}
    assert all(p.base_url == "http://127.0.0.1:12345" for p in offline.providers)
    assert {"gpt-4o-mini", "claude-sonnet", "gemini-flash"} <= set(offline.aliases)

    online = demo_config(mock_port=12345, env={"OPENAI_API_KEY": "sk-a", "GEMINI_API_KEY": "g-b"})
    assert [p.name for p in online.providers] == ["sim-openai", "sim-anthropic", "sim-gemini", "openai", "gemini"]
    assert online.provider("openai").api_key == "sk-a"
    assert "openai/gpt-4o-mini" in online.aliases
    assert "gemini/gemini-2.5-flash" in online.aliases
    assert not any(a.startswith("anthropic/") for a in online.aliases)
