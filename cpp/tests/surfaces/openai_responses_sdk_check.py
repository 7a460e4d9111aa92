#!/usr/bin/env python3
"""Feed the Responses surface's encoded streams and bodies to the real `openai` Python SDK.

Optional check (not part of ctest): the C++ test OpenAIResponsesSurfaceRender.DumpSamplesForSdkCheck
writes sample streams / bodies into a directory; this script serves them through an
httpx.MockTransport to `client.responses.stream(...)` / `client.responses.create(...)`, so the
SDK's own event parsing, stream accumulator (output_index bookkeeping, identity checks) and
response parsing run over OpenRain's bytes.

Usage: openai_responses_sdk_check.py <path to openrain_tests>
Exit status 0 when every check passes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import httpx
import openai


def client_for(body: bytes, content_type: str) -> openai.OpenAI:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/responses", request.url.path
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    return openai.OpenAI(api_key="sk-test", base_url="http://openrain.test/v1",
                         http_client=httpx.Client(transport=httpx.MockTransport(handler)),
                         max_retries=0)


def stream(path: str):
    with open(path, "rb") as f:
        body = f.read()
    client = client_for(body, "text/event-stream; charset=utf-8")
    with client.responses.stream(model="my-alias", input="hi") as s:
        events = list(s)
        types = [event.type for event in events]
        # The SDK keeps a final response only for response.completed; a terminal
        # response.incomplete carries its Response object on the event itself.
        final = s.get_final_response() if types[-1] == "response.completed" else events[-1].response
    return types, final


def create(path: str):
    with open(path, "rb") as f:
        body = f.read()
    return client_for(body, "application/json").responses.create(model="my-alias", input="hi")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, OPENRAIN_RESPONSES_DUMP_DIR=tmp)
        subprocess.run([sys.argv[1], "--gtest_filter=OpenAIResponsesSurfaceRender.DumpSamplesForSdkCheck"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        p = lambda name: os.path.join(tmp, name)  # noqa: E731

        types, final = stream(p("text.sse"))
        assert types[0] == "response.created" and types[-1] == "response.completed", types
        assert final.output_text == "Hello world", final.output_text
        assert final.usage.input_tokens == 10 and final.usage.total_tokens == 12
        assert final.model == "my-alias" and final.id == "resp_test1"
        body = create(p("text.json"))
        assert body.output_text == "Hello world" and body.status == "completed"

        types, final = stream(p("tools.sse"))
        calls = [o for o in final.output if o.type == "function_call"]
        assert [(c.call_id, c.name, json.loads(c.arguments)) for c in calls] == [
            ("call_a", "get_weather", {"city": "Paris"}),
            ("call_b", "get_time", {}),
            ("call_c", "ping", {}),
        ], calls
        assert final.output[0].type == "reasoning"
        assert final.output[0].summary[0].text == "Need two lookups."
        assert final.usage.input_tokens_details.cached_tokens == 4
        assert final.usage.output_tokens_details.reasoning_tokens == 3
        body = create(p("tools.json"))
        assert [c.call_id for c in body.output if c.type == "function_call"] == ["call_a", "call_b", "call_c"]

        types, final = stream(p("refusal.sse"))
        parts = final.output[0].content
        assert [x.type for x in parts] == ["output_text", "refusal"], parts
        assert parts[1].refusal == "I can't help."

        types, final = stream(p("length.sse"))
        assert types[-1] == "response.incomplete", types
        assert final.status == "incomplete"
        assert final.incomplete_details.reason == "max_output_tokens"
        body = create(p("length.json"))
        assert body.status == "incomplete" and body.output_text == "cut sho"

        try:
            stream(p("error.sse"))
        except openai.APIError as e:
            assert "upstream overloaded" in str(e), str(e)
        else:
            raise AssertionError("an in-stream error must surface as an APIError")
    print(f"openai {openai.__version__}: all Responses surface samples accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
