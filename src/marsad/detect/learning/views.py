"""Staff pages of the labelling loop: ``/staff/labels`` (the queue) and ``/staff/models``.

Every action is a plain form post that redirects back, so the pages work
without JavaScript; ``labels.js`` only adds the keys (1 yes, 0 no, j next, u
undo). The labelling page shows one post at a time and never anybody else's
answer, so a second analyst labels the same sample blind.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core.i18n.markers import N_
from marsad.core.models import User
from marsad.detect.learning import labels as label_service
from marsad.detect.learning import queue as queue_service
from marsad.detect.learning import registry
from marsad.detect.learning.labels import LABEL_TASKS
from marsad.posts import read as posts_read
from marsad.web.deps import CsrfChecked, DbSession, require_role
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)

Analyst = Annotated[User, Depends(require_role("analyst"))]
PAGE = "/staff/labels"
MODELS = "/staff/models"
MODES = ("first", "second")

#: The question the page asks for each task.
QUESTIONS = {
    "offensive": N_("Is this post offensive or abusive?"),
    "hate": N_("Is this post hate speech?"),
    "violence": N_("Does this post incite or threaten violence?"),
    "extremism": N_("Is this post extremist propaganda?"),
}


def _task(task: str | None) -> str:
    return label_service.check_task(task, "task") if task else LABEL_TASKS[0]


def _mode(mode: str | None) -> str:
    return mode if mode in MODES else "first"


def _page(task: str, mode: str, **extra: str) -> str:
    return f"{PAGE}?{urlencode({'task': task, 'mode': mode, **extra})}"


@router.get(PAGE)
def labelling(
    request: Request,
    user: Analyst,
    session: DbSession,
    task: str | None = None,
    mode: str | None = None,
    after: str | None = None,
    undo: int | None = None,
) -> Response:
    task, mode = _task(task), _mode(mode)
    item, _sample = queue_service.next_item(
        session, task=task, user=user.username, second=mode == "second", after=after
    )
    card = None
    if item is not None:
        card = posts_read.post_cards(session=session, ids=[item.post_pk]).get(item.post_pk)
    mine = label_service.labels_by_post(session, task=task)
    return render(
        request,
        "learning/labels.html",
        {
            "tasks": LABEL_TASKS,
            "task": task,
            "mode": mode,
            "question": QUESTIONS[task],
            "item": item,
            "card": card,
            "undo": undo if undo is not None and user.username in mine.get(undo, {}) else None,
            "progress": queue_service.evaluation_progress(session, task=task),
            "agreement": label_service.agreement(session)["tasks"],
            "counts": label_service.label_counts(session),
            "batch_size": request.app.state.settings.learning.learning_batch_size,
            "next_url": _page(task, mode, after=item.id) if item is not None else None,
        },
    )


@router.post(f"{PAGE}/answer", dependencies=[CsrfChecked])
def answer(
    user: Analyst,
    session: DbSession,
    post_id: Annotated[int, Form()],
    task: Annotated[str, Form()],
    value: Annotated[int, Form()],
    sample_id: Annotated[str | None, Form()] = None,
    mode: Annotated[str, Form()] = "first",
) -> Response:
    label_service.record_label(
        session,
        post_pk=post_id,
        task=_task(task),
        value=value,
        labelled_by=user.username,
        source="queue",
        sample_id=sample_id or None,
    )
    return RedirectResponse(_page(task, _mode(mode), undo=str(post_id)), status_code=303)


@router.post(f"{PAGE}/undo", dependencies=[CsrfChecked])
def undo(
    user: Analyst,
    session: DbSession,
    post_id: Annotated[int, Form()],
    task: Annotated[str, Form()],
    mode: Annotated[str, Form()] = "first",
) -> Response:
    label_service.withdraw_label(
        session, post_pk=post_id, task=_task(task), labelled_by=user.username
    )
    return RedirectResponse(_page(task, _mode(mode)), status_code=303)


@router.post(f"{PAGE}/draw", dependencies=[CsrfChecked])
def draw(
    request: Request,
    user: Analyst,
    session: DbSession,
    task: Annotated[str, Form()],
) -> Response:
    settings = request.app.state.settings
    model = registry.model_in_use(session, settings=settings)
    queue_service.build_queue(
        session,
        task=_task(task),
        size=settings.learning.learning_batch_size,
        model=model,
        thresholds={**model.thresholds, **settings.detect.thresholds(model.thresholds)},
        actor=user.username,
        settings=settings,
    )
    return RedirectResponse(_page(task, "first"), status_code=303)


@router.get(MODELS)
def models(
    request: Request,
    user: Analyst,  # noqa: ARG001 - staff only
    session: DbSession,
    compare: str | None = None,
) -> Response:
    current = registry.current_version(session)
    comparison = None
    if compare:
        comparison = registry.compare(
            session, settings=request.app.state.settings, candidate=compare
        )
    return render(
        request,
        "learning/models.html",
        {
            "versions": registry.list_versions(session),
            "in_use": current.version if current is not None else None,
            "comparison": comparison,
            "tasks": ("offensive", "hate", "violence"),
        },
    )


@router.post(f"{MODELS}/promote", dependencies=[CsrfChecked])
def promote(user: Analyst, session: DbSession, version: Annotated[str, Form()]) -> Response:
    registry.promote(session, version=version, actor=user.username)
    return RedirectResponse(MODELS, status_code=303)


@router.post(f"{MODELS}/rollback", dependencies=[CsrfChecked])
def rollback(user: Analyst, session: DbSession) -> Response:
    registry.rollback(session, actor=user.username)
    return RedirectResponse(MODELS, status_code=303)
