"""The built-in questionnaires meet the bar a compliance reviewer would hold them to.

Checked on the YAML data alone (yaml.safe_load), independently of the importer, so a broken
library file fails here even if the importer has a bug that would let it through. The field
lists mirror docs/native-format.md; when the JSON Schema lands, the schema test below also
validates against it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import pairwise

import pytest
import yaml

from tests.support.paths import ROOT

LIBRARY = ROOT / "questionnaires" / "library"
SCHEMA = ROOT / "questionnaires" / "authoring" / "importers" / "native.schema.json"

MAIN = "ai-labeling-neutrality"
RECHECK = "rapid-neutrality-recheck"
TEMPLATES = [MAIN, RECHECK]

# Fields per docs/native-format.md; anything else is an error there, so it is one here too.
TOP_FIELDS = {"format", "key", "name", "description", "tiers", "flag_penalties", "sections"}
SECTION_FIELDS = {"key", "title", "description", "weight", "show_if", "questions"}
QUESTION_FIELDS = {
    "key",
    "text",
    "help",
    "kind",
    "required",
    "weight",
    "allow_na",
    "options",
    "multi",
    "bands",
    "min",
    "max",
    "evidence",
    "evidence_penalty",
    "show_if",
    "flags",
    "refs",
}
OPTION_FIELDS = {"key", "label", "score"}
BAND_FIELDS = {"min", "max", "score"}
FLAG_FIELDS = {"when", "severity", "title", "recommendation"}
TIER_FIELDS = {"low", "medium", "high"}
SEVERITIES = {"info", "low", "medium", "high", "critical"}

KINDS = {"yes_no", "single_choice", "multi_choice", "short_text", "long_text", "number", "date", "file", "info"}
CHOICE_KINDS = {"single_choice", "multi_choice"}
SCORABLE_KINDS = {"yes_no", "single_choice", "multi_choice", "number"}
# Kinds with no scoring rule in the format: they must say weight 0 rather than inherit 1.
UNSCORED_KINDS = {"short_text", "long_text", "date", "file"}
# Which kind may carry which kind-specific field.
FIELD_KINDS = {
    "options": {"yes_no"} | CHOICE_KINDS,
    "multi": {"multi_choice"},
    "allow_na": {"yes_no"},
    "bands": {"number"},
    "min": {"number"},
    "max": {"number"},
}

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Every ref names a framework from /work/shared/DOMAIN.md in one agreed spelling, so reports
# can group by framework.
REF_PATTERNS = [
    r"ISO27001:2022 A\.(5\.([1-9]|[12][0-9]|3[0-7])|6\.[1-8]|7\.([1-9]|1[0-4])|8\.([1-9]|[12][0-9]|3[0-4]))",
    r"NIST-CSF-2\.0 (GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}",
    r"SOC2 (CC[1-9]\.\d|C1\.[12]|A1\.[1-3]|PI1\.[1-5]|P[1-8]\.\d)",
    r"EU-AI-Act Art\.\d+(\(\d+\))?",
    r"DORA Art\.\d+(\(\d+\))?",
    r"GDPR Art\.\d+(\(\d+\))?",
    r"SIG",
    r"CAIQ-v4 (A&A|AIS|BCR|CCC|CEK|DCS|DSP|GRC|HRS|IAM|IPY|IVS|LOG|SEF|STA|TVM|UEM)-\d{2}",
]
REF = re.compile("^(?:" + "|".join(REF_PATTERNS) + ")$")

# Keys the stress-test scenarios override: kind, and for yes_no the answer that scores 1.0.
SCENARIO_KEYS = {
    "own_model_builder_equity": ("yes_no", "no"),
    "own_board_seat_competitor": ("yes_no", "no"),
    "own_info_rights": ("yes_no", "no"),
    "own_change_of_control_notice": ("yes_no", "yes"),
    "seg_per_customer_isolation": ("yes_no", "yes"),
    "seg_investor_access": ("yes_no", "no"),
    "sec_encryption_at_rest": ("yes_no", "yes"),
    "sec_mfa_enforced": ("yes_no", "yes"),
    "sec_access_logging": ("yes_no", "yes"),
    "ir_notification_hours": ("number", None),
    "wf_non_solicitation": ("yes_no", "yes"),
    "wf_knowledge_concentration": ("yes_no", "no"),
    "wf_shared_annotator_pools": ("yes_no", "no"),
    "exit_data_return": ("yes_no", "yes"),
    "exit_deletion_certificate": ("yes_no", "yes"),
    "exit_days_orderly": ("number", None),
    "sub_critical_dependency": ("yes_no", "no"),
    "sub_flowdown_controls": ("yes_no", "yes"),
    "cont_bcp_tested": ("yes_no", "yes"),
    "ai_no_training_on_customer_data": ("yes_no", "yes"),
}

# Section key -> question-key prefix in the full questionnaire.
MAIN_PREFIXES = {
    "ownership": "own_",
    "conflicts": "coi_",
    "segregation": "seg_",
    "workforce": "wf_",
    "security": "sec_",
    "subprocessors": "sub_",
    "exit": "exit_",
    "incidents": "ir_",
    "continuity": "cont_",
    "ai_commitments": "ai_",
}


# --- helpers -----------------------------------------------------------------------------


def load(name: str) -> dict:
    return yaml.safe_load((LIBRARY / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=TEMPLATES)
def template(request) -> dict:
    return load(request.param)


@pytest.fixture(scope="module")
def main() -> dict:
    return load(MAIN)


@pytest.fixture(scope="module")
def recheck() -> dict:
    return load(RECHECK)


def all_questions(template: dict) -> list[dict]:
    return [q for s in template["sections"] for q in s["questions"]]


def answerable(template: dict) -> list[dict]:
    return [q for q in all_questions(template) if q["kind"] != "info"]


def by_key(template: dict) -> dict[str, dict]:
    return {q["key"]: q for q in all_questions(template)}


def is_scored(q: dict) -> bool:
    return q["kind"] in SCORABLE_KINDS and q.get("weight", 1) > 0


def option_scores(q: dict) -> dict[str, float]:
    return {o["key"]: o["score"] for o in q.get("options", [])}


def band_score(q: dict, value: float) -> float:
    """The format's rule: the first band whose [min, max) holds the value."""
    for band in q["bands"]:
        low = float("-inf") if band["min"] is None else band["min"]
        high = float("inf") if band["max"] is None else band["max"]
        if low <= value < high:
            return band["score"]
    raise AssertionError(f"{q['key']}: no band holds {value}")


def conditions(template: dict) -> list[tuple[str, str]]:
    """(where, expression) for every show_if and flag `when` in the template."""
    found = []
    for s in template["sections"]:
        if s.get("show_if"):
            found.append((f"section {s['key']}.show_if", s["show_if"]))
        for q in s["questions"]:
            if q.get("show_if"):
                found.append((f"{q['key']}.show_if", q["show_if"]))
            for i, flag in enumerate(q.get("flags", [])):
                if flag.get("when"):
                    found.append((f"{q['key']}.flags[{i}].when", flag["when"]))
    return found


STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:/(?:yes|no))?")
FUNCTIONS = {"selected", "answered"}
KEYWORDS = {"true", "false", "in"}


def referenced_names(expression: str) -> set[str]:
    """Question (or option) keys an expression names, ignoring literals and function names.

    `key/yes` and `^key` name `key`; numbers never match NAME because they cannot start it.
    """
    names = set()
    stripped = STRING_LITERAL.sub('""', expression)
    for match in NAME.finditer(stripped):
        start = match.start()
        if start and (stripped[start - 1].isalnum() or stripped[start - 1] in "_."):
            continue  # the tail of a number such as 1e5 or 2.5
        name = match.group(0).split("/")[0]
        rest = stripped[match.end() :].lstrip()
        if name in FUNCTIONS and rest.startswith("("):
            continue
        if name in KEYWORDS:
            continue
        names.add(name)
    return names


def unique_option_keys(template: dict) -> set[str]:
    counts = Counter(o["key"] for q in all_questions(template) for o in q.get("options", []))
    return {key for key, n in counts.items() if n == 1}


def valid_values(q: dict) -> set[str]:
    if q["kind"] == "yes_no":
        return {"yes", "no"} | ({"na"} if q.get("allow_na") else set())
    return set(option_scores(q))


def walk_fields(template: dict):
    """(where, mapping, allowed fields) for every mapping in the template."""
    yield "template", template, TOP_FIELDS
    if "tiers" in template:
        yield "tiers", template["tiers"], TIER_FIELDS
    if "flag_penalties" in template:
        yield "flag_penalties", template["flag_penalties"], SEVERITIES
    for si, s in enumerate(template["sections"]):
        yield f"sections[{si}]", s, SECTION_FIELDS
        for qi, q in enumerate(s["questions"]):
            where = f"sections[{si}].questions[{qi}] ({q.get('key')})"
            yield where, q, QUESTION_FIELDS
            for oi, o in enumerate(q.get("options", [])):
                yield f"{where}.options[{oi}]", o, OPTION_FIELDS
            for bi, b in enumerate(q.get("bands", [])):
                yield f"{where}.bands[{bi}]", b, BAND_FIELDS
            for fi, f in enumerate(q.get("flags", [])):
                yield f"{where}.flags[{fi}]", f, FLAG_FIELDS


# --- shape of each template --------------------------------------------------------------


def test_header_is_the_native_format(template):
    assert template["format"] == "diligence/v1"
    assert SLUG.match(template["key"])
    assert (LIBRARY / f"{template['key']}.yaml").exists(), "file name must be the template key"
    assert template["name"] and template["description"]
    tiers = template["tiers"]
    assert 100 >= tiers["low"] > tiers["medium"] > tiers["high"] >= 0
    assert all(v >= 0 for v in template["flag_penalties"].values())


def test_only_documented_fields_are_used(template):
    problems = [
        f"{where}: unknown field(s) {sorted(set(mapping) - allowed)}"
        for where, mapping, allowed in walk_fields(template)
        if set(mapping) - allowed
    ]
    assert not problems, "\n".join(problems)


def test_kind_specific_fields_sit_on_the_right_kinds(template):
    problems = []
    for q in all_questions(template):
        assert q["kind"] in KINDS, f"{q['key']}: unknown kind {q['kind']!r}"
        for field, kinds in FIELD_KINDS.items():
            if field in q and q["kind"] not in kinds:
                problems.append(f"{q['key']}: {field} on a {q['kind']} question")
        if q["kind"] in CHOICE_KINDS and not q.get("options"):
            problems.append(f"{q['key']}: {q['kind']} without options")
        if q["kind"] == "info" and (q.get("required") or q.get("flags") or q.get("evidence")):
            problems.append(f"{q['key']}: info items are never answered")
    assert not problems, "\n".join(problems)


def test_keys_are_identifiers_and_unique(template):
    section_keys = [s["key"] for s in template["sections"]]
    question_keys = [q["key"] for q in all_questions(template)]
    for key in section_keys + question_keys:
        assert isinstance(key, str) and IDENTIFIER.match(key), f"bad key {key!r}"
    assert len(set(section_keys)) == len(section_keys), "duplicate section keys"
    duplicates = [k for k, n in Counter(question_keys).items() if n > 1]
    assert not duplicates, f"duplicate question keys: {duplicates}"


def test_question_texts_are_distinct_and_present(template):
    texts = [q["text"].strip() for q in all_questions(template)]
    assert all(texts)
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    assert not duplicates, f"the same question asked twice: {duplicates}"


def test_closed_questions_are_phrased_as_questions(template):
    closed = [q for q in all_questions(template) if q["kind"] in SCORABLE_KINDS | {"date"}]
    not_questions = [q["key"] for q in closed if not q["text"].rstrip().endswith("?")]
    assert not not_questions, f"closed questions not ending in '?': {not_questions}"


def test_option_keys_are_strings_never_yaml_booleans(template):
    # Unquoted yes/no/on/off load as booleans in YAML 1.1; an answer "yes" would then never
    # match the option True.
    problems = []
    for q in all_questions(template):
        keys = [o["key"] for o in q.get("options", [])]
        for key in keys:
            if not isinstance(key, str) or not IDENTIFIER.match(key):
                problems.append(f"{q['key']}: option key {key!r} is not an identifier string")
        if len(set(map(str, keys))) != len(keys):
            problems.append(f"{q['key']}: duplicate option keys {keys}")
        for o in q.get("options", []):
            if not isinstance(o.get("label"), str) or not o["label"].strip():
                problems.append(f"{q['key']}: option {o['key']!r} has no label")
        for field in ("required", "allow_na"):
            if field in q and not isinstance(q[field], bool):
                problems.append(f"{q['key']}: {field} must be a boolean")
    assert not problems, "\n".join(problems)


# --- scoring -----------------------------------------------------------------------------


def test_every_yes_no_lists_yes_and_no_explicitly(template):
    for q in all_questions(template):
        if q["kind"] == "yes_no":
            assert [o["key"] for o in q.get("options", [])] == ["yes", "no"], q["key"]


def test_scored_questions_have_weights_and_scores_in_range(template):
    problems = []
    for q in all_questions(template):
        if not is_scored(q):
            continue
        if q.get("weight") not in (1, 2, 3):
            problems.append(f"{q['key']}: scored questions state a weight of 1, 2 or 3")
        if q["kind"] == "number":
            scores = [b["score"] for b in q.get("bands", [])]
            if not scores:
                problems.append(f"{q['key']}: scored number without bands")
                continue
        else:
            scores = list(option_scores(q).values())
        if not all(isinstance(s, (int, float)) and 0 <= s <= 1 for s in scores):
            problems.append(f"{q['key']}: scores outside [0, 1]: {scores}")
        elif max(scores) != 1.0:
            problems.append(f"{q['key']}: the best answer must score 1.0, got {max(scores)}")
        elif min(scores) == max(scores):
            problems.append(f"{q['key']}: every answer scores the same")
    assert not problems, "\n".join(problems)


def test_unscored_kinds_declare_weight_zero(template):
    # Text, date and file answers have no scoring rule; an implicit weight of 1 would count
    # them as full marks or zero depending on the engine.
    wrong = [q["key"] for q in all_questions(template) if q["kind"] in UNSCORED_KINDS and q.get("weight") != 0]
    assert not wrong, f"set weight: 0 on {wrong}"


def test_all_options_carry_scores_in_range(template):
    for q in all_questions(template):
        for o in q.get("options", []):
            assert isinstance(o.get("score"), (int, float)) and 0 <= o["score"] <= 1, (
                f"{q['key']}.{o['key']}: score missing or outside [0, 1]"
            )


def test_number_bands_are_ordered_contiguous_and_open_ended(template):
    for q in all_questions(template):
        bands = q.get("bands")
        if not bands:
            continue
        assert bands[0]["min"] in (None, 0, q.get("min")), f"{q['key']}: bands start above the lowest value"
        assert bands[-1]["max"] is None, f"{q['key']}: the last band must be open-ended"
        for before, after in pairwise(bands):
            assert before["max"] == after["min"], f"{q['key']}: gap or overlap at {before['max']}"
            assert before["min"] is None or before["min"] < before["max"], f"{q['key']}: empty band"


def test_multi_choice_says_how_it_is_scored(template):
    for q in all_questions(template):
        if q["kind"] == "multi_choice":
            assert q.get("multi") in {"mean", "min", "max", "sum"}, q["key"]


def test_evidence_settings_are_valid(template):
    for q in all_questions(template):
        evidence = q.get("evidence", "none")
        assert evidence in {"none", "optional", "required"}, q["key"]
        if "evidence_penalty" in q:
            assert evidence == "required", f"{q['key']}: a penalty only applies to required evidence"
            assert 0 < q["evidence_penalty"] <= 1, q["key"]
        if evidence == "required":
            assert "evidence_penalty" in q, f"{q['key']}: say what missing evidence costs"


# --- references --------------------------------------------------------------------------


def test_every_question_cites_a_framework(template):
    missing = [q["key"] for q in answerable(template) if not q.get("refs")]
    assert not missing, f"questions without refs: {missing}"


def test_refs_use_the_agreed_spelling(template):
    bad = sorted({(q["key"], r) for q in all_questions(template) for r in q.get("refs", []) if not REF.match(r)})
    assert not bad, f"unrecognised refs: {bad}"


def test_refs_are_not_repeated_within_a_question(template):
    for q in all_questions(template):
        refs = q.get("refs", [])
        assert len(refs) == len(set(refs)), q["key"]


# --- flags -------------------------------------------------------------------------------


def test_flags_are_complete_and_well_formed(template):
    for q in all_questions(template):
        for flag in q.get("flags", []):
            assert flag["severity"] in SEVERITIES, f"{q['key']}: severity {flag['severity']!r}"
            assert flag.get("title", "").strip(), f"{q['key']}: flag without a title"
            assert flag.get("recommendation", "").strip(), f"{q['key']}: flag without advice"
            assert q["key"] in referenced_names(flag.get("when", q["key"])), (
                f"{q['key']}: a flag is raised by its own question's answer"
            )


def test_knock_out_questions_weigh_most(template):
    for q in all_questions(template):
        severities = {f["severity"] for f in q.get("flags", [])}
        if "critical" in severities:
            assert q.get("weight") == 3, f"{q['key']}: critical flag on a question weighing less than 3"
        elif "high" in severities:
            assert q.get("weight", 1) >= 2, f"{q['key']}: high flag on a question weighing 1"


SIMPLE_EQUALS = re.compile(r'^\s*([A-Za-z_]\w*)\s*==\s*"([^"]*)"\s*$')


def test_flags_fire_on_bad_answers(template):
    # Guards against an inverted flag: `x == "yes"` where "yes" is the best answer.
    for q in all_questions(template):
        for flag in q.get("flags", []):
            match = SIMPLE_EQUALS.match(flag.get("when", ""))
            if match and match.group(1) == q["key"] and q.get("options"):
                score = option_scores(q)[match.group(2)]
                assert score < 1.0, f"{q['key']}: flag fires on {match.group(2)!r}, which scores {score}"


# --- conditions --------------------------------------------------------------------------


def test_conditions_name_only_keys_that_exist(template):
    known = set(by_key(template)) | unique_option_keys(template)
    problems = []
    for where, expression in conditions(template):
        unknown = referenced_names(expression) - known
        if unknown:
            problems.append(f"{where}: unknown name(s) {sorted(unknown)} in {expression!r}")
        if expression.count("(") != expression.count(")"):
            problems.append(f"{where}: unbalanced parentheses in {expression!r}")
        called = set(re.findall(r"([A-Za-z_]\w*)\s*\(", STRING_LITERAL.sub('""', expression)))
        if called - FUNCTIONS:
            problems.append(f"{where}: unknown function(s) {sorted(called - FUNCTIONS)}")
    assert not problems, "\n".join(problems)


def test_condition_literals_are_values_the_question_can_take(template):
    questions = by_key(template)
    problems = []
    for where, expression in conditions(template):
        for key, value in re.findall(r'([A-Za-z_]\w*)\s*[!=]=\s*"([^"]*)"', expression):
            if value not in valid_values(questions[key]):
                problems.append(f"{where}: {key} can never be {value!r}")
        for key, listed in re.findall(r"([A-Za-z_]\w*)\s+in\s+\[([^\]]*)\]", expression):
            for value in re.findall(r'"([^"]*)"', listed):
                if value not in valid_values(questions[key]):
                    problems.append(f"{where}: {key} can never be {value!r}")
        for key, value in re.findall(r'selected\(\s*([A-Za-z_]\w*)\s*,\s*"([^"]*)"\s*\)', expression):
            if questions[key]["kind"] not in CHOICE_KINDS or value not in valid_values(questions[key]):
                problems.append(f"{where}: {key} has no option {value!r}")
        for key in re.findall(r"([A-Za-z_]\w*)\s*(?:<=|>=|<(?!=)|>(?!=))\s*-?\d", expression):
            if questions[key]["kind"] != "number":
                problems.append(f"{where}: numeric comparison on {questions[key]['kind']} {key}")
    assert not problems, "\n".join(problems)


def test_show_if_depends_only_on_earlier_questions(template):
    # Conditions then always resolve top-down: no cycles, and nothing appears because of an
    # answer further down the page.
    seen: set[str] = set()
    option_owner = {o["key"]: q["key"] for q in all_questions(template) for o in q.get("options", [])}
    for s in template["sections"]:
        for q in s["questions"]:
            if q.get("show_if"):
                names = {option_owner.get(n, n) for n in referenced_names(q["show_if"])}
                later = names - seen
                assert not later, f"{q['key']}.show_if depends on later or own question(s) {sorted(later)}"
            seen.add(q["key"])


# --- the full questionnaire ---------------------------------------------------------------


def test_main_is_large_enough_to_trust(main):
    assert len(answerable(main)) >= 85
    assert len(main["sections"]) >= 10
    assert all(s["questions"] for s in main["sections"])


def test_main_uses_a_mix_of_kinds_mostly_yes_no(main):
    kinds = Counter(q["kind"] for q in all_questions(main))
    assert set(kinds) == KINDS, f"kinds never used: {KINDS - set(kinds)}"
    assert kinds.most_common(1)[0][0] == "yes_no"
    assert 2 <= kinds["info"] <= 6, "a few info items introduce sections"
    assert kinds["file"] <= 3, "file questions sparingly; prefer evidence on a question"


def test_main_question_keys_carry_their_section_prefix(main):
    assert {s["key"] for s in main["sections"]} == set(MAIN_PREFIXES)
    for s in main["sections"]:
        prefix = MAIN_PREFIXES[s["key"]]
        wrong = [q["key"] for q in s["questions"] if not q["key"].startswith(prefix)]
        assert not wrong, f"section {s['key']}: keys without {prefix!r}: {wrong}"


def test_main_has_enough_flags_of_every_weight(main):
    flags = [f for q in all_questions(main) for f in q.get("flags", [])]
    assert len(flags) >= 20
    severities = Counter(f["severity"] for f in flags)
    assert severities["critical"] >= 4 and severities["high"] >= 10 and severities["medium"] >= 5


def test_main_has_enough_follow_up_questions(main):
    conditional = [q for q in all_questions(main) if q.get("show_if")]
    assert len(conditional) >= 12


def test_main_asks_for_the_evidence_a_reviewer_needs(main):
    questions = by_key(main)
    for key in (
        "own_cap_table",
        "sec_soc2_confidentiality_scope",
        "sub_list_provided",
        "ir_plan",
        "exit_deletion_procedure",
    ):
        assert questions[key].get("evidence") == "required", key
    assert sum(1 for q in all_questions(main) if q.get("evidence") == "optional") >= 3


def test_main_flags_the_known_knock_outs(main):
    def severities(key):
        return {f["severity"] for f in by_key(main)[key].get("flags", [])}

    assert "critical" in severities("own_model_builder_pct")
    assert "critical" in severities("own_board_seat_competitor")
    assert "critical" in severities("seg_investor_access")
    assert "critical" in severities("ai_no_training_on_customer_data")
    assert "high" in severities("own_change_of_control_notice")
    assert "high" in severities("wf_shared_annotator_pools")
    assert "high" in severities("exit_deletion_on_exit")
    assert "high" in severities("ir_notification_hours")
    assert "medium" in severities("sec_iso27001_status")


@pytest.mark.parametrize("key", sorted(SCENARIO_KEYS))
def test_scenario_keys_exist_with_their_meaning(main, key):
    kind, good = SCENARIO_KEYS[key]
    q = by_key(main)[key]
    assert q["kind"] == kind
    assert is_scored(q)
    # A scenario overrides the answer; a show_if could hide the overridden question.
    assert not q.get("show_if")
    section = next(s for s in main["sections"] if q in s["questions"])
    assert not section.get("show_if")
    if kind == "yes_no":
        scores = option_scores(q)
        bad = ({"yes", "no"} - {good}).pop()
        assert scores[good] == 1.0 and scores[bad] == 0.0, scores


@pytest.mark.parametrize(
    ("hours", "score"),
    [
        (0, 1.0),
        (24, 1.0),
        (25, 0.8),
        (48, 0.8),
        (49, 0.6),
        (72, 0.6),
        (73, 0.1),
        (168, 0.1),
    ],
)
def test_notification_hours_bands(main, hours, score):
    assert band_score(by_key(main)["ir_notification_hours"], hours) == score


def test_notification_later_than_72_hours_is_a_high_flag(main):
    flags = by_key(main)["ir_notification_hours"]["flags"]
    assert any(f["when"].replace(" ", "") == "ir_notification_hours>72" and f["severity"] == "high" for f in flags)


@pytest.mark.parametrize(
    ("days", "score"),
    [
        (0, 1.0),
        (30, 1.0),
        (31, 0.7),
        (60, 0.7),
        (61, 0.4),
        (90, 0.4),
        (91, 0.1),
        (365, 0.1),
    ],
)
def test_orderly_exit_days_bands(main, days, score):
    assert band_score(by_key(main)["exit_days_orderly"], days) == score


# --- the re-check ------------------------------------------------------------------------


def test_recheck_is_short(recheck):
    assert 12 <= len(answerable(recheck)) <= 20
    assert sum(len(q.get("flags", [])) for q in all_questions(recheck)) >= 8
    assert any(q.get("show_if") for q in all_questions(recheck))


def test_recheck_covers_what_changed_and_its_consequences(recheck):
    keys = set(by_key(recheck))
    for key in (
        "chg_what_changed",
        "chg_party",
        "chg_party_type",
        "chg_model_builder_pct",
        "chg_advance_notice",
        "own_board_seat_competitor",
        "own_info_rights",
        "seg_investor_access",
        "chg_ring_fence",
        "chg_segregation_unchanged",
        "chg_annotators_shared_with_party",
    ):
        assert key in keys, key


def test_recheck_reuses_keys_only_with_the_same_meaning(main, recheck):
    # A key shared with the full questionnaire must score identically, so scenarios and
    # before/after comparisons read both templates the same way.
    shared = set(by_key(main)) & set(by_key(recheck))
    assert shared, "the re-check should reuse the full questionnaire's keys where they fit"
    for key in shared:
        full, short = by_key(main)[key], by_key(recheck)[key]
        for field in ("kind", "text", "weight", "options", "bands", "flags"):
            assert full.get(field) == short.get(field), f"{key}.{field} differs between templates"
    own_keys = set(by_key(recheck)) - shared
    assert all(k.startswith("chg_") for k in own_keys), sorted(own_keys)


# --- the schema, once it exists ----------------------------------------------------------


def test_library_validates_against_the_native_schema(template):
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA.relative_to(ROOT)} not written yet")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(template, schema)
