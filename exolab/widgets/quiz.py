"""Quiz widgets: a thin ipywidgets shell over :mod:`exolab.quiz`.

Grading, storage and all HTML come from the pure quiz modules; this file only
builds controls, turns their values into a response and shows the result.
"""
from __future__ import annotations

import ipywidgets as W

from exolab import quiz
from exolab.quiz import render
from exolab.quiz.schema import Question, QuizError

from ._base import Panel, message_html

__all__ = ["QuestionWidget", "show", "scoreboard"]

_STATE_CLASSES = ("exolab-quiz-correct", "exolab-quiz-incorrect")


class QuestionWidget(W.VBox):
    """One live question: answer controls, Submit, Try again, Hint and feedback.

    Attributes
    ----------
    question : Question
    order : list of int
        Indices of ``question.options`` in the order shown (seeded per learner).
    controls : list of ipywidgets.Widget
        Radio buttons (single), one check box per option (multiple), a text box
        (numeric), one dropdown per position (order) or per left item (match).
    submit, retry, hint : ipywidgets.Button
    feedback : ipywidgets.HTML
    last : Feedback or None
        The result of the latest submission.
    """

    def __init__(self, q: Question, who: str | None = None, number: int | None = None):
        self.question = q
        self.order = render.display_order(q, who)
        self.last = None
        self.controls = self._build_controls()
        self.submit = W.Button(description="Submit", button_style="primary")
        self.retry = W.Button(description="Try again", disabled=True)
        self.hint = W.Button(description="Hint")
        self.hint_box = W.HTML("")
        self.feedback = W.HTML("")
        self.feedback.add_class("exolab-quiz-feedback")
        for b, name in ((self.submit, "submit"), (self.retry, "retry"), (self.hint, "hint")):
            b.add_class(f"exolab-quiz-{name}")
        self.submit.on_click(self._on_submit)
        self.retry.on_click(self._on_retry)
        self.hint.on_click(self._on_hint)
        children = [W.HTML(render.prompt_html(q, number)),
                    *self.controls, W.HBox([self.submit, self.retry, self.hint]), self.hint_box, self.feedback]
        if quiz.is_instructor():
            self.key = W.HTML(render.answer_html(q))
            children.insert(1, self.key)
        super().__init__(children=children)
        self.add_class("exolab-quiz")

    def _build_controls(self) -> list:
        q = self.question
        opts = [(render.plain(q.options[i]), i) for i in self.order]
        if q.kind == "single":
            return [W.RadioButtons(options=opts, value=None, layout=W.Layout(width="auto"))]
        if q.kind == "multiple":
            return [W.Checkbox(value=False, description=label, indent=False, layout=W.Layout(width="auto"))
                    for label, _ in opts]
        if q.kind == "numeric":
            return [W.Text(placeholder="a number", description=q.unit or "", layout=W.Layout(width="16em"))]
        blank = [("(choose)", None)]
        if q.kind == "order":
            return [W.Dropdown(options=blank + opts, value=None, description=f"step {n + 1}",
                               layout=W.Layout(width="auto")) for n in range(len(q.options))]
        return [W.Dropdown(options=blank + opts, value=None, description=render.plain(left),
                           style={"description_width": "initial"}, layout=W.Layout(width="auto"))
                for left in q.lefts]

    def response(self):
        """Return the current response in the form :meth:`Question.check` takes."""
        q = self.question
        if q.kind == "single":
            return self.controls[0].value
        if q.kind == "multiple":
            return [i for box, i in zip(self.controls, self.order) if box.value]
        if q.kind == "numeric":
            return self.controls[0].value
        if q.kind == "order":
            return [d.value for d in self.controls]
        return {left: d.value for left, d in zip(q.lefts, self.controls)}

    def _set_state(self, state: str | None) -> None:
        for cls in _STATE_CLASSES:
            self.feedback.remove_class(cls)
        if state:
            self.feedback.add_class(f"exolab-quiz-{state}")

    def _on_submit(self, _=None) -> None:
        fb = quiz.record(self.question.lesson, self.question.id, self.response())
        self.last = fb
        # a valid answer is final until "Try again"; an invalid one can be fixed in place.
        # Lock first, feedback last: the frontend receives each widget's state in turn,
        # so the feedback appearing means the whole question has settled.
        if fb.valid:
            for c in self.controls:
                c.disabled = True
            self.submit.disabled = True
            self.retry.disabled = False
        self._set_state("correct" if fb.correct else "incorrect")
        self.feedback.value = render.feedback_html(self.question, fb)

    def _on_retry(self, _=None) -> None:
        for c in self.controls:
            c.disabled = False
            c.value = False if isinstance(c, W.Checkbox) else ("" if isinstance(c, W.Text) else None)
        self.submit.disabled = False
        self.retry.disabled = True
        self._set_state(None)
        self.feedback.value = ""

    def _on_hint(self, _=None) -> None:
        self.hint_box.value = f'<div class="exolab-quiz-hint"><em>Hint:</em> {render.md(self.question.hint)}</div>'


def show(lesson: str, *ids: str, who: str | None = None) -> Panel:
    """Return a panel with the given questions of ``lesson`` (all if no ids).

    Raises
    ------
    QuizError
        Unknown lesson or question id.
    """
    bank = quiz.load_bank(lesson)
    by_id = {q.id: q for q in bank}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise QuizError(f"{quiz.bank_path(lesson)}: question {missing[0]!r} does not exist. "
                        f"Fix: use one of {', '.join(by_id)}")
    questions = [by_id[i] for i in ids] if ids else bank
    widgets = [QuestionWidget(q, who, n) for n, q in enumerate(questions, 1)]
    static_html, static_text = render.bank_html(questions), render.bank_text(questions)
    panel = Panel(widgets, fallback_html=static_html, fallback_text=static_text)
    panel.add_class("exolab-quiz-set")
    panel.questions = widgets
    return panel


_SCOREBOARD_STATIC = ("<p><em>Your quiz scoreboard appears here when this notebook runs in "
                      "JupyterLab (progress is personal, so it is not stored in the notebook).</em></p>")


def scoreboard(lesson: str | None = None) -> Panel:
    """Return a panel showing progress per lesson and objective, with a Refresh button."""
    table = W.HTML()
    refresh = W.Button(description="Refresh")

    def update(_=None):
        try:
            table.value = render.scoreboard_html(quiz.summary(lesson))
        except QuizError as exc:  # one broken bank must not hide the learner's progress view
            table.value = message_html(f"The scoreboard cannot be built: {exc}", kind="warning")

    refresh.on_click(update)
    update()
    panel = Panel([table, refresh], fallback_html=_SCOREBOARD_STATIC,
                  fallback_text="Quiz scoreboard: run this cell in JupyterLab to see your progress.")
    panel.add_class("exolab-quiz-scoreboard")
    panel.table, panel.refresh = table, refresh
    return panel
