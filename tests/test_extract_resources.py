"""The packaged data files load, compile and stay general (extract/resources.py)."""

from __future__ import annotations

import re

import pytest

from policykg.extract import resources
from policykg.extract.errors import DataError
from policykg.extract.schema import EntityType


def test_every_pattern_rule_has_a_unique_namespaced_id() -> None:
    rules = resources.pattern_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        prefix = rule.id.split(".")[0]
        assert prefix in {"org", "person", "principle", "strategy", "policy", "event"}
        assert str(rule.type).lower().startswith(prefix[:3])


def test_lexicon_entries_are_typed_and_forms_unique_per_entry() -> None:
    lex = resources.lexicon()
    assert len(lex.entries) > 250
    for entry in lex.entries:
        assert isinstance(entry.type, EntityType)
        assert entry.label == entry.forms[0]
        assert len(set(entry.forms)) == len(entry.forms), entry.label


def test_no_lexicon_form_names_two_types() -> None:
    lex = resources.lexicon()
    types: dict[str, set[EntityType]] = {}
    for entry in lex.entries:
        for form in entry.forms:
            types.setdefault(lex.lexicon_key(form)[0], set()).add(entry.type)
    assert {form: t for form, t in types.items() if len(t) > 1} == {}


def test_lexicon_matches_through_quotes_and_ocr_confusions() -> None:
    lex = resources.lexicon()
    key, origin = lex.lexicon_key("坚决落实“党中夹”决策")
    assert key == "坚决落实党中央决策"
    assert origin[4] == 5  # 党 sits after the opening quote


def test_ocr_folds_replace_one_character_by_one() -> None:
    for pattern, replacement in resources.ocr_folds():
        assert len(replacement) == 1
        assert pattern.pattern


def test_expand_leaves_regex_quantifiers_alone() -> None:
    assert resources._expand("{a}{1,3}", {"a": "x"}) == "x{1,3}"


def test_bad_regex_names_where_it_is() -> None:
    with pytest.raises(DataError, match=r"^test place: bad regular expression '\('"):
        resources.compile_pattern("(", "test place")


def test_missing_data_file_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"data file nope\.yaml"):
        resources.load_yaml("nope.yaml")


def test_places_are_known_place_names() -> None:
    places = resources.places()
    assert {"北京", "内蒙古", "呼伦贝尔"} <= places
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,5}", p) for p in places)


@pytest.mark.parametrize(
    "name",
    [
        f"{group}.{key}"
        for group, keys in {
            "names": resources.section("cues.yaml:names"),
            "clauses": resources.section("cues.yaml:clauses"),
            "metadata": resources.section("cues.yaml:metadata"),
        }.items()
        for key in keys
    ],
)
def test_every_cue_compiles(name: str) -> None:
    assert resources.cue(name).pattern


def test_missing_cue_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"missing cue 'names\.nope'"):
        resources.cue("names.nope")


def test_comparators() -> None:
    assert resources.comparators()["左右"] == "about"
