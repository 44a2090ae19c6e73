"""The detect capability's service: classify posts for the API and the flagging job.

Pure logic (no database): the caller stores the returned dicts as Flags. Every
result carries what a Flag must keep — scores, the labels over threshold, the
glossary spans that explain them, and the model and glossary versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marsad.core.errors import InvalidInput
from marsad.core.text import detect_language, normalize
from marsad.detect.classifiers import GlossaryFeatures
from marsad.detect.glossary import (
    Glossary,
    GlossaryMatch,
    GlossaryMatcher,
    load_default_glossary,
)
from marsad.detect.model import (
    DEFAULT_ADVISORY_LANGUAGES,
    DetectorModel,
    load_configured_model,
)

__all__ = [
    "ADVISORY_LANGUAGES",
    "MAX_TEXT_CHARS",
    "classify_texts",
    "flagged_post_ids",
    "glossary_labels",
]

# Languages the shipped model's heads are not reliable for (a model may say otherwise
# in its metadata): their posts are labelled from the glossary only.
ADVISORY_LANGUAGES = frozenset(DEFAULT_ADVISORY_LANGUAGES)
# Glossary categories that say a post is offensive (any hit) and hate (a clear hit).
HATEFUL_CATEGORIES = frozenset({"slur", "dehumanising"})
MAX_TEXT_CHARS = 20_000  # far above any platform's post; guards the service from abuse
MAX_BATCH = 10_000

_default_matcher: GlossaryMatcher | None = None


def _matcher(glossary: Glossary | None) -> GlossaryMatcher:
    global _default_matcher  # built once per process: construction costs ~10 ms
    if glossary is not None:
        return glossary.matcher()
    if _default_matcher is None:
        _default_matcher = load_default_glossary().matcher()
    return _default_matcher


def glossary_labels(hits: Sequence[GlossaryMatch], lexicon_labels: Sequence[str]) -> list[str]:
    """The labels a post gets from glossary evidence alone (advisory-language posts).

    A slur or dehumanising term makes it offensive, and hate when the term is
    not marked ambiguous; ``lexicon_labels`` are the tasks the glossary's own
    scorers (incitement → violence, slogans → extremism) put over threshold.
    """
    hateful = [h for h in hits if h.category in HATEFUL_CATEGORIES]
    labels = []
    if hateful:
        labels.append("offensive")
    if any(not h.ambiguous for h in hateful):
        labels.append("hate")
    return labels + [t for t in ("violence", "extremism") if t in lexicon_labels]


def classify_texts(
    texts: list[str],
    *,
    model: DetectorModel | None = None,
    glossary: Glossary | None = None,
    thresholds: Mapping[str, float] | None = None,
    language: bool = True,
) -> list[dict[str, Any]]:
    """Classify posts for offensive language, hate, incitement and extremism.

    Parameters
    ----------
    texts : list of str
        The posts (at most ``MAX_BATCH``, each at most ``MAX_TEXT_CHARS``).
        Empty or emoji-only posts are scored like any other and get no label.
    model : DetectorModel, optional
        Default: the configured model (``MARSAD_DETECT_MODEL``), else the one
        shipped in the package.
    glossary : Glossary, optional
        Default: the shipped glossary. A curated glossary passed here is used
        for both the spans and the lexicon scores.
    thresholds : mapping, optional
        Per-task overrides of the model's decision thresholds.
    language : bool
        Also guess each post's language (``None`` when False; saves ~40 µs/post).
        A post in a language the model is not reliable for
        (``model.advisory_languages``: Kurdish, English) is labelled from the
        glossary only (:func:`glossary_labels`); without language
        identification every post is labelled as an Arabic one.

    Returns
    -------
    list of dict
        One per text, in order: ``labels`` (tasks over threshold), ``scores``
        (task → probability), ``hate_type`` (type → probability, when the
        model has that head and the post is labelled hate), ``spans``
        (glossary hits as offsets into the text), ``language``,
        ``model_version``, ``glossary_version``, ``scores_advisory`` (True
        when the post's language makes the model's scores advisory) and
        ``advisory`` (the tasks the model's score alone would have labelled
        but did not, because they are advisory).

    Raises
    ------
    InvalidInput
        A text is not a string or is too long; the batch is too big; a
        threshold names an unknown task or lies outside (0, 1).
    """
    if not isinstance(texts, Sequence) or isinstance(texts, str):
        raise InvalidInput("err_classify_input", "expected a list of texts", "texts")
    if len(texts) > MAX_BATCH:
        raise InvalidInput(
            "err_classify_input", f"at most {MAX_BATCH} texts per call, got {len(texts)}", "texts"
        )
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput("err_classify_input", "each text must be a string", f"texts[{i}]")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(
                "err_text_too_long",
                f"text has {len(text)} characters; the limit is {MAX_TEXT_CHARS}",
                f"texts[{i}]",
            )
    model = model or load_configured_model()
    cuts = dict(model.thresholds)
    for task, value in (thresholds or {}).items():
        if task not in cuts:
            raise InvalidInput("err_threshold", f"unknown task {task!r}", "thresholds")
        if not 0.0 < float(value) < 1.0:
            raise InvalidInput("err_threshold", "must be between 0 and 1", f"thresholds.{task}")
        cuts[task] = float(value)

    matcher = _matcher(glossary)
    lexicon = model.lexicon
    if glossary is not None:
        lexicon = GlossaryFeatures(glossary=glossary, categories=model.lexicon.categories)
        lexicon.fit([""])
    batch = list(texts)
    # Normalise once and find glossary hits once: spans and lexicon scores share them.
    normalized = [normalize(t) for t in batch]
    hits = [matcher.find(t, normalized=n) for t, n in zip(batch, normalized, strict=True)]
    probabilities = model.score(
        batch, lexicon_features=lexicon.from_hits(hits), normalized=normalized
    )
    type_names = (
        [str(c) for c in model.heads["hate_type"].classes_] if "hate_type" in model.heads else []
    )
    results: list[dict[str, Any]] = []
    advisory_languages = model.advisory_languages
    for i, text in enumerate(batch):
        scores = {task: round(float(probabilities[task][i]), 4) for task in model.tasks}
        labels = [task for task, p in scores.items() if p >= cuts[task]]
        lexicon_labels = ["extremism"] if "extremism" in labels else []
        if probabilities["violence_lexicon"][i] >= model.incitement.threshold:
            lexicon_labels.insert(0, "violence")
            if "violence" not in labels:
                labels.insert(len(labels) - ("extremism" in labels), "violence")
        if not normalized[i]:
            labels = lexicon_labels = []  # nothing but spaces or invisible characters
        lang = detect_language(text) if language else None
        advisory_scores = lang in advisory_languages
        withheld: list[str] = []
        if advisory_scores:
            # No reliable model in this language (neutral Kurdish posts scored as
            # offensive, English near chance): the glossary alone labels the post,
            # and what the model alone would have said is shown as advisory.
            evidence = glossary_labels(hits[i], lexicon_labels)
            withheld = [t for t in labels if t not in evidence]
            labels = evidence
        result: dict[str, Any] = {
            "labels": labels,
            "scores": scores,
            "spans": [m.to_dict() for m in hits[i]],
            "language": lang,
            "model_version": model.version,
            "glossary_version": matcher.version,
            "scores_advisory": advisory_scores,
            "advisory": withheld,
        }
        if type_names and "hate" in labels:
            row = probabilities["hate_type"][i]
            result["hate_type"] = {
                n: round(float(p), 4) for n, p in zip(type_names, row, strict=True)
            }
        results.append(result)
    return results


def flagged_post_ids(*, label: str | None = None) -> Any:
    """The ids of the posts a detector flagged and no reviewer rejected, as a subquery.

    For other capabilities' filters (``posts.id IN (...)``): it reads nothing itself.
    With ``label``, only flags with that label: the detector's while the flag is
    pending, the reviewer's once it is confirmed.
    """
    # Imported here: classifying texts stays free of the database layer.
    from sqlalchemy import String, and_, cast, or_, select

    from marsad.detect.model import TASKS
    from marsad.detect.models import Flag

    flags = Flag.__table__.c  # Core columns: the query can join any statement, ORM or not
    # Each post's current flag only: an older pending flag a newer scoring superseded
    # no longer counts (see marsad.detect.scoring).
    query = select(flags.post_pk).where(
        flags.current.is_(True),
        flags.flagged.is_(True),
        flags.review_status.in_(("pending", "confirmed")),
    )
    if label is None:
        return query
    if label not in TASKS:
        raise InvalidInput(
            "err_flag_labels", f"unknown label {label!r}; one of: {', '.join(TASKS)}", "label"
        )
    pattern = f'%"{label}"%'  # in the JSON list; labels are plain words
    return query.where(
        or_(
            and_(flags.review_status == "pending", cast(flags.labels, String).like(pattern)),
            and_(
                flags.review_status == "confirmed",
                cast(flags.reviewed_labels, String).like(pattern),
            ),
        )
    )
