"""Quiz widgets: a thin ipywidgets shell over :mod:`exolab.quiz`.

Grading, storage and all HTML come from the pure quiz modules; this file only
builds controls, turns their values into a response and shows the result.
"""
from __future__ import annotations

import functools

import ipywidgets as W
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLMathStyle, HTMLStyle

from exolab import quiz
from exolab.quiz import progress, render
from exolab.quiz.schema import Question, QuizError

from ._base import Panel, message_html

__all__ = ["QuestionWidget", "show", "scoreboard"]

_STATE_CLASSES = ("exolab-quiz-correct", "exolab-quiz-incorrect")

# ipywidgets 8 draws radio and check-box labels on one fixed-height line with an
# ellipsis, so long options were cut off or overlapped; these rules (scoped to quiz
# questions, both the old and the new class names) let them wrap instead.
_CSS = """<style>
.exolab-quiz .widget-radio, .exolab-quiz .jupyter-widget-radio,
.exolab-quiz .widget-checkbox, .exolab-quiz .jupyter-widget-checkbox {
  width: auto; max-width: 100%; height: auto; }
.exolab-quiz .widget-radio-box label, .exolab-quiz .jupyter-widget-radio-box label,
.exolab-quiz .widget-checkbox .widget-label-basic,
.exolab-quiz .jupyter-widget-checkbox .jupyter-widget-label-basic {
  display: flex; align-items: baseline; height: auto; min-height: 1.6em; line-height: 1.4;
  padding: 2px 0; white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere; }
.exolab-quiz .widget-radio-box input, .exolab-quiz .jupyter-widget-radio-box input,
.exolab-quiz .widget-checkbox input, .exolab-quiz .jupyter-widget-checkbox input {
  float: none; flex: none; height: auto; align-self: baseline; }
/* ipywidgets puts each radio's text before its input and floats the input left; in
   the wrapping flex row the input must be moved first explicitly */
.exolab-quiz .widget-radio-box input, .exolab-quiz .jupyter-widget-radio-box input {
  order: -1; margin: 0 0.6em 0 1px; }
.exolab-quiz .widget-html-content, .exolab-quiz .jupyter-widget-html-content,
.exolab-quiz .widget-htmlmath-content, .exolab-quiz .jupyter-widget-htmlmath-content {
  line-height: 1.45; white-space: normal; }
</style>"""
_DROPDOWN_MAX = "60em"        # a question's dropdowns share one width: the row, up to this
_MAX_LABEL_EM = 18.0          # a question with a longer left-hand label puts its labels above
                              # their dropdowns instead of cutting them short
#: Value of the "(choose)" placeholder each dropdown starts on; :meth:`QuestionWidget.response`
#: reads it as "no answer" (None). Not None itself: ipywidgets turns a None value into "no
#: selection" (index None), and the dropdown would show as an empty box.
CHOOSE = -1
CHOOSE_LABEL = "(choose)"


class _Shared:
    """Layouts and styles shared by the widgets of one quiz panel.

    Every ipywidgets Layout and Style is a widget of its own (one comm each), and a
    lesson's quiz cells created ~450 of them: a default Layout and Style per prompt,
    button, feedback box and option. None of these is ever changed after it is
    built, so one of each kind serves the whole panel.
    """

    # Built on first use, so a panel without check boxes makes no check-box style.
    layout = functools.cached_property(lambda self: W.Layout())
    hidden = functools.cached_property(lambda self: W.Layout(display="none"))
    wide = functools.cached_property(lambda self: W.Layout(width="auto", max_width="100%"))
    button = functools.cached_property(lambda self: W.ButtonStyle())
    html = functools.cached_property(lambda self: HTMLStyle())
    math = functools.cached_property(lambda self: HTMLMathStyle())
    choice = functools.cached_property(lambda self: DescriptionStyle())
    checkbox = functools.cached_property(lambda self: CheckboxStyle())


# Widget HTML inherits a 28 px line height (double-spaced when feedback wraps) and the
# stylesheet above may not have loaded yet: the feedback and hint carry their own.
_BLOCK = '<div style="line-height:1.45">{}</div>'


_NUMERIC_BOX = "12em"   # the typed number; its unit is a label after the box


def _label_em(labels) -> float:
    """Width (em) a question's dropdown labels need: the longest label."""
    longest = max((len(str(x)) for x in labels), default=4)
    return max(4.0, round(0.6 * longest + 1, 1))


def _label_width(labels) -> str:
    """One description width for a question's dropdowns: its longest label, capped."""
    return f"{min(_MAX_LABEL_EM, _label_em(labels))}em"


def _labels_above(labels) -> bool:
    """True when a label would not fit the label column: then every label goes above its dropdown."""
    return _label_em(labels) > _MAX_LABEL_EM


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
    feedback : ipywidgets.HTMLMath
        Prompt, hint and feedback are HTMLMath, so ``$...$`` is typeset.
    last : Feedback or None
        The result of the latest submission.
    wrong, solved : int, bool
        Valid wrong attempts so far and whether the question was ever answered right
        (stored progress included): they decide when the explanation is shown
        (:func:`exolab.quiz.render.explain_now`).
    """

    def __init__(self, q: Question, who: str | None = None, number: int | None = None,
                 wrong: int = 0, solved: bool = False, shared: _Shared | None = None):
        self.question = q
        self.order = render.display_order(q, who)
        self.last = None
        self.wrong, self.solved = int(wrong), bool(solved)
        sh = self._shared = shared or _Shared()
        self.controls = self._build_controls()
        buttons = {"layout": sh.layout, "style": sh.button}
        self.submit = W.Button(description="Submit", button_style="primary", **buttons)
        self.retry = W.Button(description="Try again", disabled=True, **buttons)
        self.hint = W.Button(description="Hint", **buttons)
        self.hint_box = W.HTMLMath("", layout=sh.layout, style=sh.math)
        self.feedback = W.HTMLMath("", layout=sh.layout, style=sh.math)
        self.feedback.add_class("exolab-quiz-feedback")
        for b, name in ((self.submit, "submit"), (self.retry, "retry"), (self.hint, "hint")):
            b.add_class(f"exolab-quiz-{name}")
        self.submit.on_click(self._on_submit)
        self.retry.on_click(self._on_retry)
        self.hint.on_click(self._on_hint)
        self.prompt = W.HTMLMath(render.prompt_html(q, number), layout=sh.layout, style=sh.math)
        style = W.HTML(_CSS, layout=sh.hidden, style=sh.html)
        children = [style, self.prompt, *self._rows(),
                    W.HBox([self.submit, self.retry, self.hint], layout=sh.layout),
                    self.hint_box, self.feedback]
        if quiz.is_instructor():
            self.key = W.HTMLMath(render.answer_html(q), layout=sh.layout, style=sh.math)
            children.insert(2, self.key)
        super().__init__(children=children, layout=sh.layout)
        self.add_class("exolab-quiz")

    def _build_controls(self) -> list:
        q = self.question
        # labels are plain text (a native control draws them): Markdown markers are
        # stripped; Unicode shows as written, $...$ is not typeset (see the bank README)
        opts = [(render.plain(q.options[i]), i) for i in self.order]
        sh = self._shared
        if q.kind == "single":
            return [W.RadioButtons(options=opts, value=None, layout=sh.wide, style=sh.choice)]
        if q.kind == "multiple":
            return [W.Checkbox(value=False, description=label, indent=False, layout=sh.wide,
                               style=sh.checkbox)
                    for label, _ in opts]
        if q.kind == "numeric":
            # The unit follows the box ("[ a number ] nm"), so it reads as a unit, not a label.
            return [W.Text(placeholder="a number", layout=W.Layout(width=_NUMERIC_BOX))]
        blank = [(CHOOSE_LABEL, CHOOSE)]
        labels = self._dropdown_labels()
        layout = W.Layout(width="100%", max_width=_DROPDOWN_MAX)
        if _labels_above(labels):
            # long left-hand sides: the label is a line of its own above a full-width choice
            return [W.Dropdown(options=blank + opts, index=0, layout=layout, style=sh.choice)
                    for _ in labels]
        # One style and one layout for all of this question's dropdowns: they line up.
        style = DescriptionStyle(description_width=_label_width(labels))
        return [W.Dropdown(options=blank + opts, index=0, description=label,
                           style=style, layout=layout)
                for label in labels]

    def _dropdown_labels(self) -> list[str]:
        q = self.question
        return ([f"step {n + 1}" for n in range(len(q.options))] if q.kind == "order"
                else [render.plain(left) for left in q.lefts])

    def _rows(self) -> list:
        """What the question shows for its controls (the controls, plus their labels or units)."""
        q, sh = self.question, self._shared
        if q.kind == "numeric":
            unit = W.Label(q.unit or "", layout=W.Layout(margin="0 0 0 0.5em"))
            return [W.HBox([self.controls[0], unit], layout=sh.layout)]
        if q.kind in ("order", "match") and _labels_above(self._dropdown_labels()):
            return [W.VBox([W.HTML(f'<div style="line-height:1.4;margin-top:0.3em">{render.md(left)}</div>',
                                   layout=sh.layout, style=sh.html), d], layout=sh.layout)
                    for left, d in zip(q.lefts if q.kind == "match" else self._dropdown_labels(),
                                       self.controls)]
        return list(self.controls)

    def response(self):
        """Return the current response in the form :meth:`Question.check` takes.

        A dropdown still on "(choose)" gives None, which grades as "not a valid answer".
        """
        q = self.question
        if q.kind == "single":
            return self.controls[0].value
        if q.kind == "multiple":
            return [i for box, i in zip(self.controls, self.order) if box.value]
        if q.kind == "numeric":
            return self.controls[0].value
        chosen = [None if d.value == CHOOSE else d.value for d in self.controls]
        if q.kind == "order":
            return chosen
        return dict(zip(q.lefts, chosen))

    def _set_state(self, state: str | None) -> None:
        for cls in _STATE_CLASSES:
            self.feedback.remove_class(cls)
        if state:
            self.feedback.add_class(f"exolab-quiz-{state}")

    def _on_submit(self, _=None) -> None:
        fb = quiz.record(self.question.lesson, self.question.id, self.response())
        self.last = fb
        if fb.valid:
            self.wrong += not fb.correct
        reveal = render.explain_now(fb, self.wrong, self.solved)
        self.solved = self.solved or fb.correct
        # a valid answer is final until "Try again"; an invalid one can be fixed in place.
        # Lock first, feedback last: the frontend receives each widget's state in turn,
        # so the feedback appearing means the whole question has settled.
        if fb.valid:
            for c in self.controls:
                c.disabled = True
            self.submit.disabled = True
            self.retry.disabled = False
        self._set_state("correct" if fb.correct else "incorrect")
        self.feedback.value = _BLOCK.format(
            render.feedback_html(self.question, fb, reveal=reveal, learner=True))

    def _on_retry(self, _=None) -> None:
        for c in self.controls:
            c.disabled = False
            if isinstance(c, W.Dropdown):
                c.index = 0                      # back to "(choose)"
            else:
                c.value = False if isinstance(c, W.Checkbox) else ("" if isinstance(c, W.Text) else None)
        self.submit.disabled = False
        self.retry.disabled = True
        self._set_state(None)
        self.feedback.value = ""

    def _on_hint(self, _=None) -> None:
        self.hint_box.value = (f'<div class="exolab-quiz-hint" style="line-height:1.45"><em>Hint:</em> '
                               f'{render.md(self.question.hint)}</div>')


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
    # earlier sessions count towards "explanation after the second wrong attempt"
    try:
        standing = progress.standing(quiz.history(lesson))
    except Exception:  # progress is a convenience here; the quiz must show regardless
        standing = {}
    shared = _Shared()  # one set of layouts and styles for every question of the panel
    widgets = [QuestionWidget(q, who, n, shared=shared, **standing.get((lesson, q.id), {}))
               for n, q in enumerate(questions, 1)]
    static_html, static_text = render.bank_html(questions), render.bank_text(questions)
    panel = Panel(widgets, fallback_html=static_html, fallback_text=static_text,
                  layout=shared.layout)
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
        # the heading says how fresh it is: a quiz answered below still counts only after Refresh
        as_of = ("as of when this cell ran; press Refresh to update" if _ is None
                 else "as of the last Refresh")
        try:
            table.value = render.scoreboard_html(quiz.summary(lesson), as_of=as_of)
        except QuizError as exc:  # one broken bank must not hide the learner's progress view
            table.value = message_html(f"The scoreboard cannot be built: {exc}", kind="warning")

    refresh.on_click(update)
    update()
    panel = Panel([table, refresh], fallback_html=_SCOREBOARD_STATIC,
                  fallback_text="Quiz scoreboard: run this cell in JupyterLab to see your progress.")
    panel.add_class("exolab-quiz-scoreboard")
    panel.table, panel.refresh = table, refresh
    return panel
