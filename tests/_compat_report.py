"""pytest plugin: records what the SDK matrix tests cover and writes docs/compatibility.md.

A matrix test module loads it with ``pytest_plugins = [..., "_compat_report"]``, names its caller
surface in a module constant ``COMPAT_SURFACE`` ("messages", "responses", "gemini"), and each test
declares the feature(s) it checks with the ``compat`` fixture::

    def test_text(claude, fam, mock, compat):
        compat("text")                       # upstream = fam.name, surface = COMPAT_SURFACE
        compat("keep-alive", upstream="anthropic")   # explicit upstream

The outcome of the test's call phase is recorded for every (surface, upstream, feature) it declared:
pass, fail, or xfail (a known gateway bug). At session end the cells are folded (✅ all passed,
❌ any failure or known bug, ➖ not applicable / not run) and written as one table per surface to
``docs/compatibility.md`` — but only for a complete matrix run: every surface in REQUIRED_SURFACES
was collected, no compat test was deselected, and the session was not stopped early.
``OPENRAIN_COMPAT_REPORT=<path>`` writes to another file; ``OPENRAIN_COMPAT_REPORT_FORCE=1`` writes
even after a partial run.

All state lives on the pytest config (``config.stash``), so nested pytester sessions are isolated.
Thread-safety: pytest hooks run on the main thread only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

import pytest

REQUIRED_SURFACES = ("messages", "responses", "gemini")
UPSTREAMS = ("openai", "anthropic", "gemini")
SURFACE_TITLES = {
    "messages": "Anthropic Messages (`/v1/messages`, official `anthropic` SDK)",
    "responses": "OpenAI Responses (`/v1/responses`, official `openai` SDK)",
    "gemini": "Gemini (`/v1beta/models/{m}:generateContent`, official `google-genai` SDK)",
}
# Row order of the tables; features not listed follow in first-seen order.
FEATURE_ORDER = (
    "text", "streaming", "model alias echoed", "request echo", "max_tokens", "system prompts", "tool calls",
    "parallel tool calls", "zero-argument tool calls", "tool results", "images", "structured output",
    "stop sequences", "usage (cached, reasoning)", "reasoning", "finish reasons", "errors: 400", "errors: 429",
    "rate-limit headers", "errors: HTML 502", "context-length error", "mid-stream errors", "credentials",
    "headers: anthropic-beta", "count_tokens", "keep-alive (ping)", "previous_response_id (stateless 400)",
    "model listing",
)
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "docs" / "compatibility.md"
ENV_PATH = "OPENRAIN_COMPAT_REPORT"
ENV_FORCE = "OPENRAIN_COMPAT_REPORT_FORCE"
MARKS = {"pass": "✅", "fail": "❌", "xfail": "❌", "skip": "➖"}

Cell = Tuple[str, str, str]  # (surface, upstream, feature)


@dataclass
class _State:
    results: Dict[Cell, List[str]] = field(default_factory=dict)
    surfaces_selected: Set[str] = field(default_factory=set)
    compat_deselected: int = 0
    xfail_reasons: Dict[Cell, List[str]] = field(default_factory=dict)


_STATE = pytest.StashKey[_State]()
_PENDING = pytest.StashKey[List[Cell]]()
_WRITTEN = pytest.StashKey[Optional[str]]()  # where the report went; None = skipped (partial run)


def _state(config: Any) -> _State:
    if _STATE not in config.stash:
        config.stash[_STATE] = _State()
    return config.stash[_STATE]


def _is_compat_item(item: Any) -> bool:
    return "compat" in getattr(item, "fixturenames", ()) and getattr(item, "module", None) is not None \
        and getattr(item.module, "COMPAT_SURFACE", None) is not None


# --- the fixture ----------------------------------------------------------------------------------


@pytest.fixture
def compat(request: Any) -> Callable[..., None]:
    """``compat(feature, *more, upstream=None, surface=None)``: declare what this test checks."""
    item = request.node
    pending = item.stash.setdefault(_PENDING, [])
    default_surface = getattr(request.module, "COMPAT_SURFACE", None)

    def record(*features: str, upstream: Optional[str] = None, surface: Optional[str] = None) -> None:
        s = surface or default_surface
        u = upstream
        if u is None:
            fam = item.funcargs.get("fam")
            u = getattr(fam, "name", None)
        if not s or not u or not features:
            raise ValueError("compat(): surface, upstream and at least one feature are required")
        for f in features:
            pending.append((s, u, f))

    return record


# --- hooks ----------------------------------------------------------------------------------------


def pytest_deselected(items: Iterable[Any]) -> None:
    for item in items:
        if _is_compat_item(item):
            _state(item.config).compat_deselected += 1


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    st = _state(config)
    for item in items:
        if _is_compat_item(item):
            st.surfaces_selected.add(item.module.COMPAT_SURFACE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call":
        return
    pending = item.stash.get(_PENDING, [])
    if not pending:
        return
    if hasattr(report, "wasxfail"):
        result = "xfail" if report.skipped else "fail"  # an XPASS(strict) is a failure
    elif report.passed:
        result = "pass"
    elif report.skipped:
        result = "skip"
    else:
        result = "fail"
    st = _state(item.config)
    for cell in pending:
        st.results.setdefault(cell, []).append(result)
        if result == "xfail":
            st.xfail_reasons.setdefault(cell, []).append(str(report.wasxfail))


def fold(results: Iterable[str]) -> str:
    """The mark for one cell from its test outcomes."""
    rs = list(results)
    if any(r in ("fail", "xfail") for r in rs):
        return MARKS["fail"]
    if any(r == "pass" for r in rs):
        return MARKS["pass"]
    return MARKS["skip"]


def render(results: Dict[Cell, List[str]], xfail_reasons: Optional[Dict[Cell, List[str]]] = None) -> str:
    """Markdown: one table per surface (rows = features, columns = upstream families)."""
    xfail_reasons = xfail_reasons or {}
    total = sum(len(v) for v in results.values())
    lines = [
        "<!-- generated by the test suite — do not edit -->",
        "# OpenRain SDK compatibility",
        "",
        "> **Generated by the test suite — do not edit.** Regenerated by every complete run of the SDK",
        "> matrices (tests/test_sdk_messages_*.py, tests/test_sdk_responses_*.py, tests/test_sdk_gemini_*.py)",
        "> through tests/_compat_report.py.",
        "",
        f"Legend: {MARKS['pass']} every test passed · {MARKS['fail']} a test failed or documents a known "
        f"gateway bug (xfail) · {MARKS['skip']} not applicable / not covered. "
        f"{total} test outcomes recorded.",
        "",
    ]
    surfaces = [s for s in REQUIRED_SURFACES if any(c[0] == s for c in results)]
    surfaces += sorted({c[0] for c in results} - set(surfaces))
    for s in surfaces:
        lines.append(f"## {SURFACE_TITLES.get(s, s)}")
        lines.append("")
        ups = [u for u in UPSTREAMS] + sorted({c[1] for c in results if c[0] == s} - set(UPSTREAMS))
        lines.append("| feature | " + " | ".join(f"{u} upstream" for u in ups) + " |")
        lines.append("|---|" + "---|" * len(ups))
        features: List[str] = []
        for c in results:
            if c[0] == s and c[2] not in features:
                features.append(c[2])
        rank = {f: i for i, f in enumerate(FEATURE_ORDER)}
        features.sort(key=lambda f: rank.get(f, len(rank)))  # stable: unknown ones keep first-seen order
        for f in features:
            row = [fold(results.get((s, u, f), [])) for u in ups]
            lines.append(f"| {f} | " + " | ".join(row) + " |")
        lines.append("")
    by_reason: Dict[str, Set[Cell]] = {}
    for cell, reasons in xfail_reasons.items():
        for r in reasons:
            by_reason.setdefault(r, set()).add(cell)
    if by_reason:
        lines.append("## Known gateway bugs (xfail)")
        lines.append("")
        for reason in sorted(by_reason):
            cells = ", ".join(f"{s} / {u} / {f}" for s, u, f in sorted(by_reason[reason]))
            lines.append(f"- {cells}: {reason}")
        lines.append("")
    return "\n".join(lines)


def _complete(session: Any, st: _State) -> bool:
    if st.compat_deselected:
        return False
    if not set(REQUIRED_SURFACES) <= st.surfaces_selected:
        return False
    if session.shouldstop or session.shouldfail:
        return False
    return True


def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    config = session.config
    if _STATE not in config.stash:
        return
    st = config.stash[_STATE]
    if not st.results:
        return
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    if os.environ.get(ENV_FORCE) != "1" and not _complete(session, st):
        config.stash[_WRITTEN] = None
        return
    override = os.environ.get(ENV_PATH)
    path = Path(override) if override else DEFAULT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(st.results, st.xfail_reasons)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    config.stash[_WRITTEN] = str(path)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: Any, config: Any) -> None:
    if _WRITTEN not in config.stash:
        return
    where = config.stash[_WRITTEN]
    if where:
        terminalreporter.write_line(f"compatibility report written to {where}")
    else:
        terminalreporter.write_line("compatibility report not regenerated (partial matrix run)")
