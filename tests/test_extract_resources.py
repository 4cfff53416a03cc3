"""The packaged data files load, compile and stay general (extract/resources.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

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


# -- character tables generated from OpenCC and jieba (tests/data/make_chinese_data.py) ---------

DATA_FILES = Path(__file__).parent.parent / "extract" / "data"


def _generator() -> Any:
    """tests/data/make_chinese_data.py as a module."""
    spec = importlib.util.spec_from_file_location(
        "make_chinese_data", Path(__file__).parent / "data" / "make_chinese_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_traditional_folds_are_one_character_to_one() -> None:
    folds = resources.traditional_folds()
    assert len(folds) > 4000
    assert folds[ord("關")] == "关" and folds[ord("為")] == "为" and folds[ord("於")] == "于"
    assert all(len(v) == 1 and chr(k) != v for k, v in folds.items())
    assert ord("著") not in folds  # a simplified character too


def test_no_rule_is_written_with_a_character_the_view_folds() -> None:
    folds = resources.traditional_folds()
    for path in sorted(DATA_FILES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert {ch for ch in text if ord(ch) in folds} == set(), path.name


def test_common_characters_hold_both_scripts_and_punctuation() -> None:
    common = resources.common_characters()
    assert {"的", "国", "國", "发", "發", "，", "。"} <= common
    assert not {"䶮", "a", "1"} & common


def test_traditional_table_matches_opencc() -> None:
    pytest.importorskip("opencc")
    assert (DATA_FILES / "traditional.txt").read_text(encoding="utf-8") == (
        _generator().render_traditional()
    )


def test_traditional_fixtures_match_opencc() -> None:
    pytest.importorskip("opencc")
    data = Path(__file__).parent / "data"
    seed = (Path(__file__).parent.parent / "seeds" / "000_e07ead4074b87c09.txt").read_text("utf-8")
    traditional = _generator().to_traditional(seed)
    assert (data / "speech_traditional.txt").read_text(encoding="utf-8") == traditional
    assert (data / "speech_big5.txt").read_bytes() == traditional.encode("cp950")


def test_common_characters_match_jieba_and_opencc() -> None:
    pytest.importorskip("opencc")
    pytest.importorskip("jieba")  # the bench extra
    assert (DATA_FILES / "common_chars.txt").read_text(encoding="utf-8") == (
        _generator().render_common()
    )


def test_a_malformed_traditional_table_is_a_data_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_table_lines", lambda name: [(14, "關关")])
    resources.traditional_folds.cache_clear()
    try:
        with pytest.raises(DataError, match=r"^traditional.txt line 14: expected "):
            resources.traditional_folds()
    finally:
        monkeypatch.undo()
        resources.traditional_folds.cache_clear()


@pytest.mark.parametrize(
    ("pattern", "guarded"),
    [
        ("(?:省|市委)?第[一二]届", True),  # optional start: guarded
        ("(?<!x)(?:q|r)?[A-C]d", True),
        ("(?:abc|c)d", False),  # re skips ahead on its own
        ("[^a]b", False),  # negated class: start unknown
        ("a?", False),  # matches the empty string
        ("(?i)(?:x)?a", False),
    ],
)
def test_first_char_guard_finds_the_same(pattern: str, guarded: bool) -> None:
    plain = re.compile(pattern)
    fast = resources.first_char_guard(plain)
    assert (fast is not plain) is guarded
    assert fast.groupindex == plain.groupindex
    text = "xqAd rBd 市委第一届 第二届 省第一届 abcd cd ba Xa a"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
