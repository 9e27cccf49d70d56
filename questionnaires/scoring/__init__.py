"""The scoring engine: answers + compiled template -> scores, flags, tiers and scenarios.

Pure Python on plain data (no ORM), so it is tested and benchmarked without a database.
``score_assessment`` scores one set of answers; ``run_scenarios`` re-scores them under
the stress-test scenarios of ``questionnaires/library/scenarios``. Results carry
``ENGINE_VERSION``; bump it whenever the same input would give a different result.
"""

from questionnaires.scoring.engine import score_assessment
from questionnaires.scoring.plan import ScoringPlan, compile_scoring
from questionnaires.scoring.rules import ENGINE_VERSION
from questionnaires.scoring.scenarios import (
    ScenarioError,
    load_library_scenarios,
    load_scenario,
    run_scenarios,
)

__all__ = [
    "ENGINE_VERSION",
    "ScenarioError",
    "ScoringPlan",
    "compile_scoring",
    "load_library_scenarios",
    "load_scenario",
    "run_scenarios",
    "score_assessment",
]
