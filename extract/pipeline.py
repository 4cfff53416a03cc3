"""The spaCy pipeline: a blank Chinese pipeline with policykg's own components.

``spacy.blank("zh")`` with the character segmenter (no model, nothing to download; faster
than jieba and it keeps every name that a word segmenter would cut — see
``benchmarks/segmenter.py``), then, in order:

- ``policykg_view``      the matching view (OCR and width folds) and sentence boundaries
- ``policykg_structure`` headings, enumerated tasks, lead sentences, problem lists
- ``policykg_names``     lexicon and pattern mentions of named entities
- ``policykg_clauses``   problems and targets
- ``policykg_entities``  mentions grouped into entities; ``doc.spans["policykg"]``
- ``policykg_relations`` relation rules

Each component stores its result on a ``Doc`` extension (``doc._.policykg_*``), so that
``nlp.analyze_pipes()`` tells what each one needs and sets.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .clauses import find_problems, find_targets
from .metadata import document_metadata
from .model import Entity, Evidence, Extraction, Mention, Relation
from .names import find_names
from .normalize import normalize_label
from .relations import Analysis, find_relations, find_speaker
from .resolve import (
    OCR_FOLD,
    SAME_FORM,
    Group,
    MentionRecord,
    choose_label,
    group_mentions,
    mention_key,
    place_of,
)
from .schema import EntityType
from .structure import find_structure
from .textview import make_view, paragraphs, sentences
from .version import PIPELINE_VERSION as PIPELINE_VERSION

_EXTENSIONS = (
    "policykg_text",
    "policykg_view",
    "policykg_structure",
    "policykg_names",
    "policykg_problems",
    "policykg_targets",
    "policykg_analysis",
    "policykg_relations",
)


def register_extensions() -> None:
    """Register the ``Doc`` extensions the components write (once per process)."""
    for name in _EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


@Language.component(
    "policykg_view",
    assigns=["doc._.policykg_text", "doc._.policykg_view", "token.is_sent_start"],
)
def view_component(doc: Doc) -> Doc:
    """The text (``doc.text`` rebuilds it from the tokens on every call), the same-length
    matching view, and sentence starts on the tokens."""
    # the tokenizer keeps the text it was given; else rebuild it from the tokens
    text = doc._.policykg_text
    if text is None:
        text = doc._.policykg_text = doc.text
    view = make_view(text)
    doc._.policykg_view = view
    starts = numpy.array(
        sorted({s.start for p in paragraphs(text) for s in sentences(view, p)}), dtype="int64"
    )
    offsets = doc.to_array([IDX]).astype("int64").reshape(-1)
    flags = numpy.where(numpy.isin(offsets, starts), 1, -1).astype("int64")
    if len(flags):
        flags[0] = 1
    # spaCy reads -1 ("not a sentence start") from its uint64 cast
    doc.from_array([SENT_START], flags.astype("uint64"))  # type: ignore[arg-type]
    return doc


@Language.component(
    "policykg_structure", requires=["doc._.policykg_view"], assigns=["doc._.policykg_structure"]
)
def structure_component(doc: Doc) -> Doc:
    """Headings, tasks, problem lists, review sections."""
    doc._.policykg_structure = find_structure(doc._.policykg_text, doc._.policykg_view)
    return doc


@Language.component(
    "policykg_names", requires=["doc._.policykg_view"], assigns=["doc._.policykg_names"]
)
def names_component(doc: Doc) -> Doc:
    """Lexicon and pattern mentions of bodies, people, strategies, policies, meetings."""
    doc._.policykg_names = find_names(doc._.policykg_text, doc._.policykg_view)
    return doc


@Language.component(
    "policykg_clauses",
    requires=["doc._.policykg_structure"],
    assigns=["doc._.policykg_problems", "doc._.policykg_targets"],
)
def clauses_component(doc: Doc) -> Doc:
    """Problems and targets."""
    view, structure = doc._.policykg_view, doc._.policykg_structure
    doc._.policykg_problems = find_problems(view, structure)
    doc._.policykg_targets = find_targets(view, structure)
    return doc


@Language.component(
    "policykg_entities",
    requires=["doc._.policykg_names", "doc._.policykg_problems", "doc._.policykg_targets"],
    assigns=["doc._.policykg_analysis", "doc.spans"],
)
def entities_component(doc: Doc) -> Doc:
    """Group all mentions into entities; mirror the mentions in ``doc.spans["policykg"]``."""
    analysis = _analysis(doc)
    doc._.policykg_analysis = analysis
    spans = []
    for m in analysis.mentions:
        span = doc.char_span(m.span.start, m.span.end, label=str(m.type), alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans["policykg"] = spans
    return doc


@Language.component(
    "policykg_relations",
    requires=["doc._.policykg_analysis"],
    assigns=["doc._.policykg_relations"],
)
def relations_component(doc: Doc) -> Doc:
    """Relation rules over the analysis."""
    doc._.policykg_relations = find_relations(doc._.policykg_analysis)
    return doc


def _analysis(doc: Doc) -> Analysis:
    view, structure = doc._.policykg_view, doc._.policykg_structure
    mentions: list[MentionRecord] = [
        MentionRecord(c.span, c.type, c.rule, c.canonical, dict(c.attrs))
        for c in doc._.policykg_names
    ]
    task_mentions = []
    for task in structure.tasks:
        task_mentions.append(len(mentions))
        attributes = {"modality": task.modality} if task.modality else {}
        mentions.append(MentionRecord(task.title, EntityType.TASK, task.rule, None, attributes))
    problem_mentions = []
    for fact in doc._.policykg_problems:
        problem_mentions.append(len(mentions))
        mentions.append(MentionRecord(fact.span, EntityType.PROBLEM, fact.rule))
    target_mentions = []
    for target in doc._.policykg_targets:
        target_mentions.append(len(mentions))
        mentions.append(
            MentionRecord(target.span, EntityType.TARGET, target.rule, None, target.attributes)
        )
    groups = group_mentions(view, mentions)
    entity_of = [0] * len(mentions)
    for n, group in enumerate(groups):
        for i in group.mentions:
            entity_of[i] = n
    analysis = Analysis(
        doc._.policykg_text,
        view,
        structure,
        mentions,
        groups,
        entity_of,
        task_mentions,
        doc._.policykg_problems,
        problem_mentions,
        doc._.policykg_targets,
        target_mentions,
    )
    analysis.speaker = find_speaker(analysis)
    return analysis


@cache
def make_nlp() -> Language:
    """The pipeline (built once per process): blank Chinese, character segmenter."""
    register_extensions()
    nlp = spacy_blank_zh()
    for name in (
        "policykg_view",
        "policykg_structure",
        "policykg_names",
        "policykg_clauses",
        "policykg_entities",
        "policykg_relations",
    ):
        nlp.add_pipe(name)
    nlp(_WARM_UP)  # load the rules and lexicons now, to be kept with the rest
    _keep_out_of_full_collections()
    return nlp


#: A sentence that loads the rules and lexicons the components read.
_WARM_UP = "国务院印发《关于加强生态环境保护的意见》，解决突出问题，全年经济增长5%以上。"


def _keep_out_of_full_collections() -> None:
    """Leave what exists now out of the cyclic collector's full collections (``gc.freeze``).

    spaCy, the pipeline and the compiled rules live as long as the process, yet every full
    collection walked them all: about 70 ms each with spaCy loaded, a few times every ten
    documents, some 8% of extraction time. Garbage is collected first, so that only what is
    alive is frozen; reference counting still frees frozen objects.
    """
    gc.collect()
    gc.freeze()


def spacy_blank_zh() -> Language:
    """``spacy.blank("zh")`` with the character segmenter, set explicitly, tokenising in
    linear time (:class:`CharTokenizer`)."""
    import spacy

    config: dict[str, Any] = {"nlp": {"tokenizer": {"segmenter": "char"}}}
    nlp = spacy.blank("zh", config=config)
    nlp.tokenizer = CharTokenizer(nlp.vocab)
    return nlp


class CharTokenizer:
    """The tokens of spaCy's Chinese ``char`` segmenter, found in linear time.

    spaCy aligns the characters with the text by ``text[pos:].index(char)``, copying the
    rest of the text for every character: a 200,000-character document took seconds, a
    2,000,000-character one minutes. The tokens (and their trailing spaces) are the same.

    The words are given to ``Doc`` as their hashes in the vocabulary's string store (which
    ``Doc`` takes as well as strings): a Chinese text uses a few thousand distinct characters,
    so hashing each of its characters anew cost more than all the rest of making the ``Doc``.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._orths = _Orths(vocab.strings)

    def __call__(self, text: str) -> Doc:
        words, spaces = char_words(text)
        orths = list(map(self._orths.__getitem__, words))
        # Doc's stub types words as strings; Doc itself takes hashes too, as it documents
        doc = Doc(self.vocab, words=orths, spaces=spaces)  # type: ignore[arg-type]
        # the tokens rebuild exactly this text: keep it rather than rebuild it from them
        doc._.policykg_text = text
        return doc


class _Orths(dict[str, int]):
    """Word → its hash in a string store, the word added to the store when first met."""

    def __init__(self, strings: StringStore) -> None:
        super().__init__()
        self._strings = strings

    def __missing__(self, word: str) -> int:
        orth: int = self._strings.add(word)
        self[word] = orth
        return orth


#: A run of white space (``\s`` is exactly ``str.isspace`` for ``str`` patterns).
_SPACE_RUN = re.compile(r"(\s+)")


def char_words(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags as ``spacy.util.get_words_and_spaces`` gives them for
    the characters of ``text``: each non-space character a word, a run of white space before
    one a word of its own, one " " after a word its trailing space."""
    words: list[str] = []
    spaces: list[bool] = []
    # the text splits into runs of non-space characters and runs of white space, in turn
    for n, run in enumerate(_SPACE_RUN.split(text)):
        if not run:
            continue
        if n % 2 == 0:  # non-space characters: one word each
            words += run
            spaces += [False] * len(run)
            continue
        if run[0] == " " and words and not words[-1].isspace():
            spaces[-1] = True  # the trailing space of the character before
            run = run[1:]
        if run:
            words.append(run)
            spaces.append(False)
    return words, spaces


def to_extraction(doc: Doc, document: str) -> Extraction:
    """The extraction of a processed ``Doc``: entities with mentions, relations, metadata."""
    a: Analysis = doc._.policykg_analysis
    text = doc._.policykg_text
    ids = [f"e{n + 1}" for n in range(len(a.groups))]
    entities = []
    for n, group in enumerate(a.groups):
        label = choose_label(text, a.view, group, a.mentions)
        order = sorted(group.mentions, key=lambda i: a.mentions[i].span.start)
        mentions = []
        for i in order:
            m = a.mentions[i]
            start, end = m.span.start, m.span.end
            mentions.append(Mention(start, end, text[start:end], m.rule))
        aliases = sorted({m.text for m in mentions if m.text != label})
        attributes: dict[str, str] = {}
        for i in group.mentions:
            for key, value in a.mentions[i].attributes.items():
                attributes.setdefault(key, value)
        merged = _merge_rules(group, order, [m.text for m in mentions], label)
        entities.append(Entity(ids[n], group.type, label, mentions, aliases, attributes, merged))
    relations = [
        Relation(
            ids[r.head],
            r.type,
            ids[r.tail],
            r.rule,
            Evidence(r.evidence.start, r.evidence.end, text[r.evidence.start : r.evidence.end]),
        )
        for r in doc._.policykg_relations
    ]
    speaker = None
    for e in entities:
        if e.type is EntityType.PERSON and "role" in e.attributes:
            speaker = e.label
            break
    metadata = document_metadata(text, a.view, speaker)
    if a.speaker is not None:
        metadata["publisher"] = entities[a.speaker].label
    _add_places(entities, metadata.get("spatial", ""))
    for ent in entities:  # in key order, as the JSON form has them: a cached copy is the same
        ent.attributes = dict(sorted(ent.attributes.items()))
        ent.merged = dict(sorted(ent.merged.items()))
    return Extraction(document, text, entities, relations, dict(sorted(metadata.items())))


def _merge_rules(group: Group, order: list[int], forms: list[str], label: str) -> dict[str, str]:
    """For each alias of an entity, the resolution rule that grouped its first mention.

    ``order`` is the group's mentions in text order, ``forms`` their text."""
    out: dict[str, str] = {}
    # the group's first mention joined nothing: the rule that joined the label merged it
    label_rule = next(
        (
            group.joined[i]
            for i, form in zip(order, forms, strict=True)
            if form == label and i in group.joined
        ),
        SAME_FORM,
    )
    for i, form in zip(order, forms, strict=True):
        if form == label or form in out:
            continue
        rule = group.joined.get(i, label_rule)
        if rule == SAME_FORM and normalize_label(form) != normalize_label(label):
            rule = OCR_FOLD  # grouped as the same form in the matching view only
        out[form] = rule
    return out


def _add_places(entities: list[Entity], chain: str) -> None:
    """Give a body named by its level alone (市委) its place: from a place-qualified alias
    (呼伦贝尔市委), else from the document's own place at that level."""
    for ent in entities:
        if ent.type is not EntityType.ORGANIZATION:
            continue
        place = place_of(ent.label, chain)
        for alias in ent.aliases:
            key, label_key = mention_key(ent.type, alias), mention_key(ent.type, ent.label)
            if len(key) > len(label_key) and key.endswith(label_key[1:]):
                head = key[: len(key) - len(label_key) + 1]
                qualified = place_of(ent.label, head)
                if qualified:
                    place = qualified
                    break
        if place:
            ent.attributes["place"] = place


def extract_text(text: str, document: str = "<text>") -> Extraction:
    """Extract entities and relations from one document's text."""
    return to_extraction(make_nlp()(text), document)


def extract_texts(texts: Iterable[tuple[str, str]], batch_size: int = 8) -> Iterator[Extraction]:
    """Extract several documents given as (name, text) pairs, streaming through ``nlp.pipe``."""
    nlp = make_nlp()
    pairs = list(texts)
    docs = nlp.pipe((t for _, t in pairs), batch_size=batch_size)
    for (name, _), doc in zip(pairs, docs, strict=True):
        yield to_extraction(doc, name)
