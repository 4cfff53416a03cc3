"""Load the package's data files (lexicons, patterns, structure cues) once, compiled.

The rules live in ``extract/data/*.yaml``; this module only reads, validates and compiles
them, so that a broken data file fails loudly with the file and entry named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import import_module, resources
from typing import Any

import ahocorasick_rs
import yaml

from .errors import DataError
from .schema import EntityType

_PACKAGE = "policykg.extract"
_QUOTES = "“”‘’\"'"
_QUOTE = re.compile(f"[{re.escape(_QUOTES)}]")
_NOT_QUOTES = re.compile(f"[^{re.escape(_QUOTES)}]+")


def load_yaml(name: str) -> dict[str, Any]:
    """The parsed data file ``data/<name>``; DataError when it is missing or malformed."""
    try:
        raw = resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")
        data = yaml.safe_load(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"data file {name}: {exc}") from exc
    if not isinstance(data, dict):
        raise DataError(f"data file {name}: expected a mapping at the top level")
    return data


def compile_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """Compile ``pattern`` (with :func:`first_char_guard`); DataError naming ``where`` when it
    is not a valid expression."""
    try:
        return first_char_guard(re.compile(pattern))
    except re.error as exc:
        raise DataError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


def first_char_guard(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a look-ahead for the characters its matches can start with, when
    they are a known set: the same matches (and groups), found faster.

    ``re`` skips ahead quickly only when an expression starts with a literal or a class; one
    that starts with an optional part or an alternation of words (``(?:省|市|区)?第…届``) is
    tried in full at every position. ``(?=[省市区第])`` fails there at once instead.
    """
    if pattern.flags & re.IGNORECASE:
        return pattern
    parsed = import_module("re._parser").parse(pattern.pattern, pattern.flags)
    if _starts_plainly(list(parsed)):
        return pattern  # ``re`` skips ahead on its own
    first, nullable = _first_chars(list(parsed))
    if first is None or nullable or len(first) > _MAX_START_CHARS:
        return pattern
    chars = "".join(re.escape(ch) for ch in sorted(first))
    try:
        return re.compile(f"(?=[{chars}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # inline global flags, say: they must stay at the start
        return pattern


def _starts_plainly(items: list[tuple[Any, Any]]) -> bool:
    """Whether the parsed sequence starts with a literal, a class or an alternation of
    words each starting with a literal: ``re`` then finds where to try on its own."""
    while items and str(items[0][0]) == "SUBPATTERN" and not any(items[0][1][1:3]):
        items = list(items[0][1][3])
    if not items:
        return False
    op, av = items[0]
    if str(op) in ("LITERAL", "IN"):
        return True
    return str(op) == "BRANCH" and all(
        alternative and str(alternative[0][0]) == "LITERAL" for alternative in av[1]
    )


def _first_chars(items: list[tuple[Any, Any]]) -> tuple[frozenset[str] | None, bool]:
    """The characters a match of the parsed sequence ``items`` can start with (None when not
    a known set), and whether it can match the empty string."""
    found: set[str] = set()
    for op, av in items:
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # consumes nothing
        first, nullable = _first_chars_item(name, av)
        if first is None:
            return None, False
        found |= first
        if not nullable:
            return frozenset(found), False
    return frozenset(found), True


#: More start characters than this hardly narrow where to try (person.named's surnames).
_MAX_START_CHARS = 100
#: A class range wider than this makes a start character set too wide to be worth it.
_MAX_RANGE = 128


def _first_chars_item(name: str, av: Any) -> tuple[frozenset[str] | None, bool]:
    if name == "LITERAL":
        return frozenset(chr(av)), False
    if name == "IN":
        chars: set[str] = set()
        for op, value in av:
            if str(op) == "LITERAL":
                chars.add(chr(value))
            elif str(op) == "RANGE" and value[1] - value[0] < _MAX_RANGE:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:  # a negated class, a category, a wide range
                return None, False
        return frozenset(chars), False
    if name == "SUBPATTERN":
        _, add_flags, del_flags, body = av
        return (None, False) if add_flags or del_flags else _first_chars(list(body))
    if name == "ATOMIC_GROUP":
        return _first_chars(list(av))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _, body = av
        first, nullable = _first_chars(list(body))
        return first, nullable or low == 0
    if name == "BRANCH":
        union: set[str] = set()
        empty = False
        for alternative in av[1]:
            first, nullable = _first_chars(list(alternative))
            if first is None:
                return None, False
            union |= first
            empty = empty or nullable
        return frozenset(union), empty
    return None, False  # any character, categories, ranges, back references: not known


@cache
def literal_prefilter(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A cheap expression that finds something in every string ``pattern`` finds something
    in, or None when none can be told.

    It is the alternation of literals one of which every match of ``pattern`` contains
    (derived from the parsed expression: lookarounds, classes and optional parts count for
    nothing). Searching it first skips a costly ``pattern`` on the strings it cannot match,
    with the same outcome.
    """
    if pattern.flags & re.IGNORECASE:
        return None
    parsed = import_module("re._parser").parse(pattern.pattern, pattern.flags)
    literals = _required(list(parsed))
    if not literals:
        return None
    return re.compile("|".join(re.escape(lit) for lit in sorted(literals)))


#: At most this many literals in a prefilter.
_MAX_LITERALS = 64


def _required(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """Literals one of which every match of the parsed sequence ``items`` contains."""
    best: frozenset[str] | None = None
    run = ""

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or _rank(found) < _rank(best)):
            best = found

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(av)
            continue
        if run:
            consider(frozenset({run}))
            run = ""
        consider(_required_item(name, av))
    if run:
        consider(frozenset({run}))
    return best


def _rank(literals: frozenset[str]) -> tuple[int, int]:
    """Fewer and longer literals make a better prefilter."""
    return len(literals), -min(len(lit) for lit in literals)


def _required_item(name: str, av: Any) -> frozenset[str] | None:
    if name == "IN":
        if all(str(op) == "LITERAL" for op, _ in av) and len(av) <= _MAX_LITERALS:
            return frozenset(chr(code) for _, code in av)
        return None
    if name == "SUBPATTERN":
        _, add_flags, del_flags, body = av
        return None if add_flags or del_flags else _required(list(body))
    if name == "ATOMIC_GROUP":
        return _required(list(av))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _, body = av
        return _required(list(body)) if low >= 1 else None
    if name == "BRANCH":
        union: set[str] = set()
        for alternative in av[1]:
            found = _required(list(alternative))
            if not found:
                return None
            union |= found
        return frozenset(union) if len(union) <= _MAX_LITERALS else None
    return None  # lookarounds, anchors, any character, back references: nothing required


# ----------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One entity of the lexicon: its canonical label and every listed surface form."""

    type: EntityType
    label: str
    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """All lexicon entries and one Aho-Corasick automaton over their surface forms.

    Forms are matched on a *lexicon key* of the text: quotation marks removed (so that
    “一带一路”建设 and 一带一路建设 both match) and OCR confusions folded (党中夹 matches
    党中央). ``lexicon_key`` gives that key and the offset of each of its characters.
    """

    entries: tuple[LexiconEntry, ...]
    automaton: ahocorasick_rs.AhoCorasick
    #: automaton pattern index → entry index
    by_pattern: tuple[int, ...]
    fold: dict[int, str]

    def lexicon_key(self, view: str) -> tuple[str, list[int]]:
        """``view`` without quotation marks, OCR-folded, and where each character came from."""
        if _QUOTE.search(view) is None:
            return view.translate(self.fold), list(range(len(view)))
        kept: list[int] = []
        for run in _NOT_QUOTES.finditer(view):
            kept += range(run.start(), run.end())
        return _QUOTE.sub("", view).translate(self.fold), kept


@cache
def lexicon() -> Lexicon:
    """The compiled lexicon of ``data/lexicon.yaml``."""
    data = load_yaml("lexicon.yaml")
    confusions = ocr_confusions()
    entries: list[LexiconEntry] = []
    for type_name, lines in data.items():
        try:
            etype = EntityType(type_name)
        except ValueError as exc:
            raise DataError(f"lexicon.yaml: unknown entity type {type_name!r}") from exc
        for line in lines or []:
            forms = tuple(f.strip() for f in str(line).split("|") if f.strip())
            if not forms:
                raise DataError(f"lexicon.yaml: empty entry under {type_name}")
            entries.append(LexiconEntry(etype, forms[0], forms))
    fold = {ord(v): k for k, variants in confusions.items() for v in variants}
    owner: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for form in entry.forms:
            key = "".join(ch for ch in form if ch not in _QUOTES).translate(fold)
            owner.setdefault(key, index)  # the first entry listing a form owns it
    keys = sorted(owner)
    automaton = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return Lexicon(tuple(entries), automaton, tuple(owner[k] for k in keys), fold)


# ----------------------------------------------------------------------------- OCR


@cache
def ocr_folds() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Context-bound one-character corrections applied to the matching view."""
    data = load_yaml("ocr.yaml")
    folds = []
    for item in data.get("folds") or []:
        if not (isinstance(item, list) and len(item) == 2 and len(str(item[1])) == 1):
            raise DataError(f"ocr.yaml: a fold must be [regex, one character], got {item!r}")
        folds.append((compile_pattern(str(item[0]), "ocr.yaml folds"), str(item[1])))
    return tuple(folds)


@cache
def traditional_folds() -> dict[int, str]:
    """Traditional (and Taiwan/Hong Kong variant) character → simplified, one to one.

    A ``str.translate`` table from ``data/traditional.txt`` (generated from OpenCC's
    dictionaries by ``tests/data/make_chinese_data.py``).
    """
    table: dict[int, str] = {}
    for number, line in _table_lines("traditional.txt"):
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) != 1:
            raise DataError(
                f"traditional.txt line {number}: expected 'character<TAB>character', got {line!r}"
            )
        table[ord(parts[0])] = parts[1]
    return table


@cache
def common_characters() -> frozenset[str]:
    """The most frequent Chinese characters (simplified and traditional) and punctuation.

    From ``data/common_chars.txt``; the reader tells Big5 from GB18030 by them.
    """
    return frozenset("".join(line for _, line in _table_lines("common_chars.txt")))


def _table_lines(name: str) -> list[tuple[int, str]]:
    """The (line number, line) pairs of ``data/<name>`` without comments and blank lines."""
    try:
        raw = resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"data file {name}: {exc}") from exc
    return [
        (number, line)
        for number, line in enumerate(raw.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]


@cache
def ocr_confusions() -> dict[str, str]:
    """Character → characters it is misread as (used by lexicon matching)."""
    data = load_yaml("ocr.yaml")
    return {str(k): str(v) for k, v in (data.get("confusions") or {}).items()}


# ----------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class PatternRule:
    """One entry of ``patterns.yaml`` with its expression compiled."""

    id: str
    type: EntityType
    kind: str
    regex: re.Pattern[str]
    extend_place: bool = False
    source: EntityType | None = None
    min_left: int = 2
    max_left: int = 16
    keep_head: bool = True
    word_end: bool = False
    #: suffix rules: words that also end the left side of this rule's names
    left_stop: re.Pattern[str] | None = None


_KINDS = {"regex", "suffix", "extend", "quoted", "list", "header"}


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    """Replace ``{name}`` by its fragment, leaving regex quantifiers like {1,3} alone."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return fragments[name] if name in fragments else match.group(0)

    for _ in range(3):  # fragments may use fragments
        pattern = re.sub(r"\{([a-z_]+)\}", sub, pattern)
    return pattern


@cache
def pattern_rules() -> tuple[PatternRule, ...]:
    """The compiled rules of ``data/patterns.yaml``."""
    data = load_yaml("patterns.yaml")
    fragments = {str(k): str(v) for k, v in (data.get("fragments") or {}).items()}
    fragments["surname"] = "[" + surnames() + "]"
    rules: list[PatternRule] = []
    seen: set[str] = set()
    for item in data.get("rules") or []:
        rid = str(item.get("id", ""))
        where = f"patterns.yaml rule {rid or '?'}"
        if not rid or rid in seen:
            raise DataError(f"{where}: every rule needs a unique id")
        seen.add(rid)
        kind = str(item.get("kind", "regex"))
        if kind not in _KINDS:
            raise DataError(f"{where}: unknown kind {kind!r} (one of {sorted(_KINDS)})")
        try:
            etype = EntityType(item["type"])
            source = EntityType(item["from"]) if "from" in item else None
        except (KeyError, ValueError) as exc:
            raise DataError(f"{where}: bad or missing entity type") from exc
        regex = compile_pattern(_expand(str(item["pattern"]), fragments), where)
        rules.append(
            PatternRule(
                id=rid,
                type=etype,
                kind=kind,
                regex=regex,
                extend_place=bool(item.get("extend_place", False)),
                source=source,
                min_left=int(item.get("min_left", 2)),
                max_left=int(item.get("max_left", 16)),
                keep_head=bool(item.get("keep_head", True)),
                word_end=bool(item.get("word_end", False)),
                left_stop=(
                    compile_pattern(str(item["left_stop"]), f"{where} left_stop")
                    if "left_stop" in item
                    else None
                ),
            )
        )
    return tuple(rules)


@cache
def surnames() -> str:
    """The surname characters of ``data/names.yaml`` as one string."""
    return "".join(str(load_yaml("names.yaml").get("surnames", "")).split())


@dataclass(frozen=True, slots=True)
class Boundaries:
    """Where the left side of a name stops, and which left sides are too generic."""

    words: re.Pattern[str]
    generic_left: frozenset[str]
    #: what may follow a head word for it to end a name
    word_end: re.Pattern[str]
    #: what, right before a name, makes it the object of a remedy
    remedy_left: re.Pattern[str]


@cache
def boundaries() -> Boundaries:
    """The compiled ``data/boundaries.yaml``."""
    data = load_yaml("boundaries.yaml")
    words = [str(w) for w in data.get("words") or []]
    return Boundaries(
        compile_pattern("|".join(f"(?:{w})" for w in words), "boundaries.yaml words"),
        frozenset(str(w) for w in data.get("generic_left") or []),
        compile_pattern(str(data.get("word_end", "")), "boundaries.yaml word_end"),
        compile_pattern(str(data.get("remedy_left", "$^")), "boundaries.yaml remedy_left"),
    )


@cache
def places() -> frozenset[str]:
    """Known place names of ``data/places.yaml``."""
    return frozenset(str(load_yaml("places.yaml").get("places", "")).split())


@cache
def cue(name: str) -> re.Pattern[str]:
    """A compiled cue of ``data/cues.yaml``, named ``"section.key"`` (``"names.policy_after"``)."""
    group, _, key = name.partition(".")
    value = section(f"cues.yaml:{group}").get(key)
    if not isinstance(value, str):
        raise DataError(f"cues.yaml: missing cue {name!r}")
    return compile_pattern(value, f"cues.yaml {name}")


@cache
def comparators() -> dict[str, str]:
    """Comparator word → comparator name (以上 → atLeast), from ``data/cues.yaml``."""
    return {str(k): str(v) for k, v in section("cues.yaml:comparators").items()}


@cache
def section(name: str) -> dict[str, Any]:
    """One top-level section of a data file, e.g. ``section("clauses.yaml:problems")``."""
    file, _, key = name.partition(":")
    data = load_yaml(file)
    value = data.get(key) if key else data
    if not isinstance(value, dict):
        raise DataError(f"{file}: missing section {key!r}")
    return value


@cache
def regex(name: str, key: str) -> re.Pattern[str]:
    """A compiled pattern ``key`` of data section ``name`` (a list is joined as alternation)."""
    value = section(name).get(key)
    if isinstance(value, list):
        value = "|".join(f"(?:{v})" for v in value)
    if not isinstance(value, str):
        raise DataError(f"{name}: missing pattern {key!r}")
    return compile_pattern(value, f"{name} {key}")
