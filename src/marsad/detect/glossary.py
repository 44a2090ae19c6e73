"""The glossary of hate speech: typed terms, YAML/CSV import and export, and a matcher.

A :class:`Glossary` is a versioned list of :class:`GlossaryTerm`. The
:class:`GlossaryMatcher` finds its terms in posts in linear time (one
Aho-Corasick pass over the normalised text) and reports each hit as a span of
the *original* text, so a reviewer sees exactly the characters that matched,
obfuscation included.

Matching rules (documented because reviewers will ask why something matched):

* terms and posts are both put through :func:`marsad.core.text.normalize`,
  then doubled letters are squeezed to one on both sides (``kill`` and
  ``kiiilll`` both become ``kil``);
* a hit must start and end on a word boundary; an Arabic-script term may also
  carry the attached proclitics و ف ب ل ك ال and their combinations
  (``والروافض`` matches ``روافض``), because Arabic writes them joined to the word;
* overlapping hits keep the longest (``اقتلوا الروافض`` as one incitement phrase
  beats ``الروافض`` alone);
* only ``published`` terms are matched unless the matcher is asked for others.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import ahocorasick
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from marsad.core.errors import InvalidInput
from marsad.core.text import normalize, normalize_with_offsets

# libyaml's safe loader when PyYAML was built with it (ten times faster), else Python's.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "CATEGORIES",
    "NOTE_LANGUAGES",
    "TARGET_GROUPS",
    "Glossary",
    "GlossaryMatch",
    "GlossaryMatcher",
    "GlossaryTerm",
    "Notes",
    "load_default_glossary",
]

TargetGroup = Literal[
    "sect",
    "ethnicity",
    "religion",
    "tribe",
    "gender",
    "political_affiliation",
    "nationality",
    "disability",
]
Category = Literal["slur", "dehumanising", "incitement", "extremist_slogan"]
Status = Literal["draft", "published", "retired"]
Language = Literal["ar", "ckb", "kmr", "en"]

TARGET_GROUPS: tuple[str, ...] = TargetGroup.__args__  # type: ignore[attr-defined]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
# The languages a note is written in: the interface's (a Kurmanji term is explained in them).
NOTE_LANGUAGES = ("ar", "ckb", "en")
# Which note a reader gets when none is written in their language: English, then Arabic,
# then Sorani (the starter glossary's notes were written in English first).
NOTE_FALLBACK = ("en", "ar", "ckb")

CSV_COLUMNS = (
    "id",
    "term",
    "variants",
    "language",
    "dialect",
    "target_groups",
    "category",
    "severity",
    "ambiguous",
    "reclaimed",
    "notes_ar",
    "notes_ckb",
    "notes_en",
    "examples",
    "status",
)
# Columns of glossary files written before a term had several targets and notes per
# language: still read (``target_group`` is one group, ``notes`` the English note).
LEGACY_CSV_COLUMNS = ("target_group", "notes")
LIST_SEPARATOR = "|"  # variants, examples and target groups in one CSV cell


def _upgrade_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """A term as version 1 files and stored rows wrote it, in today's shape.

    ``target_group: sect`` becomes ``target_groups: [sect]`` and a plain ``notes``
    string becomes the English note.
    """
    data = dict(data)
    if "target_group" in data:
        legacy = data.pop("target_group")
        data.setdefault("target_groups", [legacy] if isinstance(legacy, str) else legacy)
    if isinstance(data.get("target_groups"), str):
        data["target_groups"] = [data["target_groups"]]
    if isinstance(data.get("notes"), str):
        data["notes"] = {"en": data["notes"]} if data["notes"] else {}
    return data


def _read_utf8(path: Path, encoding: str) -> str:
    """A glossary file's text; a file in another encoding is named, not a crash."""
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        raise InvalidInput(
            "err_glossary_invalid", "is not UTF-8 text; save it as UTF-8 and try again", str(path)
        ) from None


class Notes(BaseModel):
    """What a term means and why it matters, in each interface language (any may be empty)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ar: str = ""
    ckb: str = ""
    en: str = ""

    def pick(self, lang: str) -> tuple[str, str]:
        """The note for a reader of ``lang`` and the language it is written in.

        The reader's own language first, then English, Arabic and Sorani; ``("", lang)``
        when the term has no note at all.
        """
        for code in (lang, *NOTE_FALLBACK):
            text = getattr(self, code, "") if code in NOTE_LANGUAGES else ""
            if text:
                return text, code
        return "", lang

    def texts(self) -> tuple[str, ...]:
        """Every note written, in any language (what a search looks in)."""
        return tuple(text for code in NOTE_LANGUAGES if (text := getattr(self, code)))


class GlossaryTerm(BaseModel):
    """One entry of the glossary: a term, its spellings and the groups it targets.

    ``ambiguous`` marks words that have an innocent everyday sense or are mostly
    used in reporting (``dog``, ``داعشي``); ``reclaimed`` a slur its target uses
    of itself. A hit on either is weak evidence and the classifiers weigh it less.
    A term may target several groups (``اقتلوهم`` names whoever the sentence
    names); the first is the commonest.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    term: str = Field(min_length=1)
    variants: tuple[str, ...] = ()
    language: Language
    dialect: str | None = None
    target_groups: tuple[TargetGroup, ...] = Field(min_length=1)
    category: Category
    severity: int = Field(ge=1, le=3)
    ambiguous: bool = False
    # A slur the targeted group uses of itself: kept apart from ``ambiguous`` so the
    # glossary says which, and weighed like it (a hit alone is weak evidence).
    reclaimed: bool = False
    notes: Notes = Notes()
    examples: tuple[str, ...] = ()
    status: Status = "draft"

    @model_validator(mode="before")
    @classmethod
    def _read_version_1(cls, data: Any) -> Any:
        return _upgrade_legacy(data) if isinstance(data, dict) else data

    def __setstate__(self, state: dict[Any, Any]) -> None:
        # A model file pickled before terms had several targets holds terms in the old
        # shape; they are read in today's (unpickling does not run the validators).
        fields = state.get("__dict__", {})
        if "target_group" in fields or isinstance(fields.get("notes"), str):
            fields = _upgrade_legacy(fields)
            if isinstance(fields.get("notes"), dict):
                fields["notes"] = Notes(**fields["notes"])
            fields["target_groups"] = tuple(fields["target_groups"])
            state = {**state, "__dict__": fields}
            state["__pydantic_fields_set__"] = set(fields)
        super().__setstate__(state)

    @field_validator("target_groups")
    @classmethod
    def _each_group_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @property
    def target_group(self) -> str:
        """The commonest target (the first of ``target_groups``)."""
        return self.target_groups[0]

    @field_validator("term", "variants")
    @classmethod
    def _not_blank_after_normalisation(cls, value: Any) -> Any:
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if not normalize(item):
                raise ValueError(f"{item!r} is empty once normalised")
        return value

    def spellings(self) -> tuple[str, ...]:
        """Return the term followed by its variants."""
        return (self.term, *self.variants)


class Glossary(BaseModel):
    """A versioned list of glossary terms with unique ids."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    name: str = "Marsad glossary"
    terms: list[GlossaryTerm] = Field(default_factory=list)

    @field_validator("terms")
    @classmethod
    def _unique_ids(cls, terms: list[GlossaryTerm]) -> list[GlossaryTerm]:
        seen: set[str] = set()
        for term in terms:
            if term.id in seen:
                raise ValueError(f"duplicate term id {term.id!r}")
            seen.add(term.id)
        return terms

    # ----------------------------------------------------------------- YAML

    @classmethod
    def from_yaml(cls, source: str | Path) -> Glossary:
        """Load a glossary from a YAML file path or YAML text.

        Raises
        ------
        InvalidInput
            ``err_glossary_invalid`` naming the term index and field at fault.
        """
        where = str(source) if isinstance(source, Path) else "glossary"
        text = _read_utf8(source, "utf-8") if isinstance(source, Path) else source
        try:
            data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise InvalidInput("err_glossary_invalid", f"not valid YAML ({exc})", where) from None
        if not isinstance(data, dict):
            raise InvalidInput("err_glossary_invalid", "expected a mapping at the top", where)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise _validation_error(exc, where, row_base=None) from None

    def to_yaml(self) -> str:
        """Render the glossary as YAML (Arabic script kept readable)."""
        data = self.model_dump(mode="json")
        for term in data["terms"]:
            term["notes"] = {code: text for code, text in term["notes"].items() if text}
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

    # ----------------------------------------------------------------- CSV

    @classmethod
    def from_csv(
        cls, source: str | Path, *, version: int, name: str = "Marsad glossary"
    ) -> Glossary:
        """Load terms from a CSV file path or CSV text (header row = ``CSV_COLUMNS``).

        List cells (variants, examples) separate items with ``|``.

        Raises
        ------
        InvalidInput
            ``err_glossary_invalid`` naming the row (1 = first data row) and column.
        """
        where = str(source) if isinstance(source, Path) else "glossary.csv"
        text = _read_utf8(source, "utf-8-sig") if isinstance(source, Path) else source
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        required = ("id", "term", "language", "target_groups", "category", "severity")
        missing = [
            c
            for c in required
            if c not in header and not (c == "target_groups" and "target_group" in header)
        ]
        if missing:
            raise InvalidInput(
                "err_glossary_invalid", f"missing column(s): {', '.join(missing)}", where
            )
        unknown = [c for c in header if c not in CSV_COLUMNS + LEGACY_CSV_COLUMNS]
        if unknown:
            raise InvalidInput(
                "err_glossary_invalid", f"unknown column(s): {', '.join(unknown)}", where
            )
        terms: list[GlossaryTerm] = []
        for row_number, row in enumerate(reader, start=1):
            record: dict[str, Any] = {}
            notes: dict[str, str] = {}
            for key, value in row.items():
                value = (value or "").strip()
                if key in ("variants", "examples", "target_groups", "target_group"):
                    items = tuple(v.strip() for v in value.split(LIST_SEPARATOR) if v.strip())
                    record["target_groups" if key == "target_group" else key] = items
                elif key == "notes" or key.startswith("notes_"):
                    if value:
                        notes[key.removeprefix("notes").removeprefix("_") or "en"] = value
                elif key in ("ambiguous", "reclaimed"):
                    if value.lower() not in ("", "0", "1", "true", "false", "yes", "no"):
                        raise InvalidInput(
                            "err_glossary_invalid",
                            f"{key} must be true/false, got {value!r}",
                            f"{where}: row {row_number}, column {key}",
                        )
                    record[key] = value.lower() in ("1", "true", "yes")
                elif key == "dialect":
                    record[key] = value or None
                elif value or key != "status":
                    record[key] = value
            record["notes"] = notes
            try:
                terms.append(GlossaryTerm.model_validate(record))
            except ValidationError as exc:
                raise _validation_error(exc, where, row_base=row_number) from None
        try:
            return cls(version=version, name=name, terms=terms)
        except ValidationError as exc:
            raise _validation_error(exc, where, row_base=None) from None

    def to_csv(self) -> str:
        """Render the terms as CSV with the ``CSV_COLUMNS`` header."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for term in self.terms:
            row = term.model_dump(mode="json")
            for code in NOTE_LANGUAGES:
                row[f"notes_{code}"] = getattr(term.notes, code)
            del row["notes"]
            row["target_groups"] = LIST_SEPARATOR.join(term.target_groups)
            row["variants"] = LIST_SEPARATOR.join(term.variants)
            row["examples"] = LIST_SEPARATOR.join(term.examples)
            row["dialect"] = term.dialect or ""
            row["ambiguous"] = "true" if term.ambiguous else "false"
            row["reclaimed"] = "true" if term.reclaimed else "false"
            writer.writerow(row)
        return out.getvalue()

    # ----------------------------------------------------------------- use

    def get(self, term_id: str) -> GlossaryTerm:
        """Return the term with this id (KeyError when absent)."""
        for term in self.terms:
            if term.id == term_id:
                return term
        raise KeyError(term_id)

    def matcher(self, statuses: Iterable[str] = ("published",)) -> GlossaryMatcher:
        """Build a :class:`GlossaryMatcher` over the terms with the given statuses."""
        return GlossaryMatcher(self, statuses=tuple(statuses))


def _validation_error(exc: ValidationError, where: str, row_base: int | None) -> InvalidInput:
    """Turn pydantic's error into one line naming the row/term and field."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    if row_base is not None:
        column = "_".join(loc[:2]) if loc[:1] == ["notes"] else (loc[0] if loc else "?")
        place = f"{where}: row {row_base}, column {column}"
    elif len(loc) >= 2 and loc[0] == "terms":
        place = f"{where}: terms[{loc[1]}]" + (f".{loc[2]}" if len(loc) > 2 else "")
    else:
        place = f"{where}: {'.'.join(loc) or 'top'}"
    message = err["msg"].removeprefix("Value error, ")
    return InvalidInput("err_glossary_invalid", message, place)


def load_default_glossary() -> Glossary:
    """Load the starter glossary shipped in ``marsad/detect/data/glossary.yaml``."""
    text = resources.files("marsad.detect").joinpath("data/glossary.yaml").read_text("utf-8")
    return Glossary.from_yaml(text)


# --------------------------------------------------------------------------- matcher

_DOUBLE = re.compile(r"(.)\1+")
_WORD_CHAR = re.compile(r"\w")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
# Proclitics written joined to an Arabic word: conjunctions و ف, prepositions ب ل ك,
# the article ال, and their combinations (normalised spelling).
_PROCLITICS = frozenset(
    p
    for base in ("", "و", "ف")
    for mid in ("", "ب", "ل", "ك")
    for art in ("", "ال")
    if (p := base + mid + art)
) | {"لل", "ولل", "فلل"}
_MAX_PROCLITIC = max(len(p) for p in _PROCLITICS)


_UNDERSCORE = str.maketrans("_", " ")


def squeeze(text: str) -> str:
    """Return the matching key form of normalised text.

    Every run of a repeated character becomes one, and ``_`` becomes a space so
    that hashtags (``#اقتلوا_الخونة``) match multi-word terms.
    """
    return _DOUBLE.sub(r"\1", text.translate(_UNDERSCORE))


def _squeeze_with_offsets(text: str, offsets: Sequence[int]) -> tuple[str, list[int]]:
    text = text.translate(_UNDERSCORE)
    keep = [i for i in range(len(text)) if i == 0 or text[i - 1] != text[i]]
    return "".join(text[i] for i in keep), [offsets[i] for i in keep]


@dataclass(frozen=True, slots=True)
class GlossaryMatch:
    """One glossary hit, as a span of the original text."""

    term_id: str
    term: str
    start: int
    end: int
    text: str
    category: str
    target_groups: tuple[str, ...]
    severity: int
    ambiguous: bool
    language: str

    @property
    def target_group(self) -> str:
        """The term's commonest target (the first of ``target_groups``)."""
        return self.target_groups[0]

    def to_dict(self) -> dict[str, Any]:
        """Return the hit as a JSON-ready dict.

        ``target_group`` (the first target) is kept beside ``target_groups`` for readers
        of the spans Marsad wrote before a term could target several groups.
        """
        return {
            "term_id": self.term_id,
            "term": self.term,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "target_groups": list(self.target_groups),
            "target_group": self.target_group,
            "severity": self.severity,
            "ambiguous": self.ambiguous,
            "language": self.language,
        }


class GlossaryMatcher:
    """Find glossary terms in texts in time linear in the text length.

    Parameters
    ----------
    glossary:
        The glossary to match.
    statuses:
        Which term statuses to match (default: published only).
    """

    def __init__(self, glossary: Glossary, statuses: Sequence[str] = ("published",)) -> None:
        self.glossary = glossary
        self.statuses = tuple(statuses)
        self._automaton = ahocorasick.Automaton()
        self._terms: list[GlossaryTerm] = []
        keys: dict[str, list[int]] = {}
        for term in glossary.terms:
            if term.status not in self.statuses:
                continue
            index = len(self._terms)
            self._terms.append(term)
            for spelling in term.spellings():
                key = squeeze(normalize(spelling))
                keys.setdefault(key, [])
                if index not in keys[key]:
                    keys[key].append(index)
        for key, indexes in keys.items():
            self._automaton.add_word(
                key, (len(key), tuple(indexes), bool(_ARABIC_SCRIPT.search(key)))
            )
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    @property
    def version(self) -> int:
        """The glossary version this matcher was built from."""
        return self.glossary.version

    @cached_property
    def terms(self) -> tuple[GlossaryTerm, ...]:
        """The terms this matcher looks for."""
        return tuple(self._terms)

    def _hits(self, key_text: str) -> list[tuple[int, int, int]]:
        """Return (start, end, term index) hits in squeezed normalised text, longest first."""
        if self._empty or not key_text:
            return []
        found: list[tuple[int, int, int]] = []
        n = len(key_text)
        for last, (length, indexes, arabic) in self._automaton.iter(key_text):
            end = last + 1
            start = end - length
            if end < n and _WORD_CHAR.match(key_text[end]):
                continue
            if start > 0 and _WORD_CHAR.match(key_text[start - 1]):
                if not arabic:
                    continue
                # Accept an attached proclitic that itself starts a word.
                ok = False
                for k in range(1, min(_MAX_PROCLITIC, start) + 1):
                    if not _WORD_CHAR.match(key_text[start - k]):
                        break
                    if key_text[start - k : start] in _PROCLITICS and (
                        start - k == 0 or not _WORD_CHAR.match(key_text[start - k - 1])
                    ):
                        ok = True
                        start -= k  # the span includes the proclitic
                        break
                if not ok:
                    continue
            found.extend((start, end, i) for i in indexes)
        # Longest hit wins where hits overlap (one sweep in start order).
        found.sort(key=lambda h: (h[0], h[0] - h[1], h[2]))
        taken: list[tuple[int, int, int]] = []
        for hit in found:
            if not taken or hit[0] >= taken[-1][1]:
                taken.append(hit)
                continue
            last = taken[-1]
            if hit[:2] == last[:2]:
                taken.append(hit)  # another term with the same spelling
            elif hit[1] - hit[0] > last[1] - last[0]:
                while taken and taken[-1][:2] == last[:2]:
                    taken.pop()
                taken.append(hit)
        return taken

    def has_match(self, normalised: str) -> bool:
        """Return whether an already-normalised text contains any term (fast path)."""
        return bool(self._hits(squeeze(normalised)))

    def find(self, text: str, *, normalized: str | None = None) -> list[GlossaryMatch]:
        """Return the glossary hits in ``text`` as spans of ``text`` itself.

        ``text[m.start:m.end]`` is the original, possibly obfuscated, spelling.
        Pass ``normalized=normalize(text)`` when you have it already.
        """
        if normalized is None:
            normalized = normalize(text)
        if self._empty or not self._hits(squeeze(normalized)):
            return []
        norm, offsets = normalize_with_offsets(text)
        key_text, offsets = _squeeze_with_offsets(norm, offsets)
        matches: list[GlossaryMatch] = []
        for start, end, index in self._hits(key_text):
            term = self._terms[index]
            o_start = offsets[start]
            o_end = offsets[end - 1] + 1
            limit = offsets[end] if end < len(offsets) else len(text)
            # Take in the characters normalisation dropped after the last letter
            # (diacritics, tatweel, repeated letters) but not the following space.
            while o_end < limit and not text[o_end].isspace():
                o_end += 1
            matches.append(
                GlossaryMatch(
                    term_id=term.id,
                    term=term.term,
                    start=o_start,
                    end=o_end,
                    text=text[o_start:o_end],
                    category=term.category,
                    target_groups=term.target_groups,
                    severity=term.severity,
                    ambiguous=term.ambiguous or term.reclaimed,
                    language=term.language,
                )
            )
        return matches
