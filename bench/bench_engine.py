"""How fast is ``score_assessment`` next to the least work scoring could possibly do?

Run from the project root: ``python bench/bench_engine.py [--questions 500] [--runs 200]``.

Builds the synthetic 500-question template the scoring tests use (with its answers and
evidence), compiles it once, then times two things over the same answers:

- the engine: ``score_assessment`` (visibility, flags, evidence, explanations, rounding);
- the floor: a bare weighted sum, option score x weight per answered question, by dict
  lookups prepared in advance. No engine can beat it; the ratio says what the rules,
  the condition language and the explanations cost on top.

Prints the medians and the ratio and writes them to ``bench/results/engine.json``. The
aim is a ratio within ``TARGET_RATIO``; the exit status is 1 when it is missed, so the
script can gate a CI job if one is ever wanted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from questionnaires.conditions import compile_template  # noqa: E402
from questionnaires.scoring import ENGINE_VERSION, compile_scoring, score_assessment  # noqa: E402

TARGET_RATIO = 5.0
RESULTS = ROOT / "bench" / "results" / "engine.json"


def load_fixtures() -> Any:
    """The tests' conftest, by path: one synthetic template for tests and bench alike."""
    spec = importlib.util.spec_from_file_location("scoring_fixtures", ROOT / "tests" / "scoring" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def floor_scorer(spec: dict[str, Any]) -> Callable[[dict[str, object]], float]:
    """A bare weighted sum over the answers: the floor the engine is measured against."""
    table: dict[str, tuple[dict[object, float], float]] = {}
    for section in spec["sections"]:
        for question in section["questions"]:
            scores = {option["key"]: option["score"] for option in question.get("options", [])}
            if question["kind"] == "yes_no" and not scores:
                scores = {"yes": 1.0, "no": 0.0}
            if scores and question.get("weight", 1):
                table[question["key"]] = (scores, question.get("weight", 1))

    def weighted_sum(answers: dict[str, object]) -> float:
        total = weights = 0.0
        for key, (scores, weight) in table.items():
            answer = answers.get(key)
            score = scores.get(answer) if isinstance(answer, str) else None
            if score is not None:
                total += score * weight
                weights += weight
        return total / weights * 100 if weights else 100.0

    return weighted_sum


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm caches (the scoring plan, attribute lookups) outside the timing
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    spec, answers, evidence = load_fixtures().synthetic(args.questions)
    template = compile_template(spec)
    compile_scoring(template)
    neutrality = {"status": "at_risk", "findings": [{"reason": "a competitor's fund holds 8%"}]}
    weighted_sum = floor_scorer(spec)

    engine = median_seconds(
        lambda: score_assessment(template, answers, evidence=evidence, neutrality=neutrality), args.runs
    )
    floor = median_seconds(lambda: weighted_sum(answers), args.runs)
    # The one visibility pass the engine makes through the condition language, timed on
    # its own so the ratio can be read as "conditions" plus "scoring and explaining".
    visibility = median_seconds(lambda: template.context(answers), args.runs)
    ratio = engine / floor
    result = {
        "engine_version": ENGINE_VERSION,
        "questions": args.questions,
        "runs": args.runs,
        "engine_median_ms": round(engine * 1000, 4),
        "floor_median_ms": round(floor * 1000, 4),
        "visibility_median_ms": round(visibility * 1000, 4),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"score_assessment, {args.questions} questions: median {engine * 1000:.3f} ms over {args.runs} runs")
    print(f"  of which visibility (conditions):  median {visibility * 1000:.3f} ms")
    print(f"bare weighted sum (floor):           median {floor * 1000:.3f} ms")
    print(f"ratio {ratio:.2f}x (target within {TARGET_RATIO:g}x); written to {RESULTS.relative_to(ROOT)}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
