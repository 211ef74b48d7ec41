"""Pure rendering: safe Markdown, static HTML and text views, answer key, export.

Nothing here imports ipywidgets; the widget layer calls these functions. Static
views are deterministic (bank order, no time, no progress) because notebooks are
checked with strict nbval.
"""
from __future__ import annotations

import hashlib
import html
import os
import random
import re
from urllib.parse import quote

from .grade import Feedback
from .schema import Question

__all__ = ["learner", "display_order", "md", "plain", "anchor", "section_link", "answer_text",
           "question_html", "bank_html", "question_text", "bank_text", "feedback_html",
           "explain_now", "invalid_message", "EXPLAIN_AFTER_WRONG",
           "answer_html", "key_markdown", "to_jupyterquiz", "scoreboard_html", "scoreboard_text"]

EXPLAIN_AFTER_WRONG = 2
"""Live views show the explanation after a right answer or this many wrong ones."""

_LETTERS = "ABCDEFGH"
_CODE_OR_MATH = re.compile(r"(`[^`\n]+`|\$[^$\n]+\$)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")


def learner() -> str:
    """Return the id that seeds option shuffling.

    ``$EXOLAB_LEARNER`` if set, else a random id kept in the progress file
    (:func:`exolab.quiz.progress.learner_id`). Not the login name: on Binder every
    learner is ``jovyan`` and would see the same order.
    """
    name = os.environ.get("EXOLAB_LEARNER")
    if name:
        return name
    from .progress import learner_id
    return learner_id()


def display_order(q: Question, who: str | None = None) -> list[int]:
    """Return the indices of ``q.options`` in this learner's shuffled order.

    The seed is a hash of learner, lesson and question id, so one learner always
    sees the same order and neighbours see different ones.
    """
    seed = hashlib.sha256(f"{who or learner()}\x1f{q.lesson}\x1f{q.id}".encode()).hexdigest()
    order = list(range(len(q.options)))
    random.Random(int(seed[:16], 16)).shuffle(order)
    return order


def md(text: str) -> str:
    """Render the safe Markdown subset to HTML: escape first, then **b**, *i*, `code`.

    ``$...$`` spans are kept as (escaped) text; no tag from the input survives.
    """
    out = []
    for part in _CODE_OR_MATH.split(str(text)):
        if part.startswith("`") and part.endswith("`") and len(part) > 2:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        elif part.startswith("$") and part.endswith("$") and len(part) > 2:
            out.append(html.escape(part))
        else:
            s = html.escape(part)
            s = _BOLD.sub(r"<strong>\1</strong>", s)
            out.append(_ITALIC.sub(r"<em>\1</em>", s))
    return "".join(out)


def plain(text: str) -> str:
    """Strip the Markdown markers (for widget labels and text views)."""
    s = _BOLD.sub(r"\1", str(text))
    s = _ITALIC.sub(r"\1", s)
    return re.sub(r"`([^`\n]+)`", r"\1", s)


def anchor(section: str) -> str:
    """Return JupyterLab's anchor for a ``##`` heading (spaces become hyphens, case kept)."""
    return quote(section.strip().replace(" ", "-"), safe="-_.~!$&'()*+,;=:@/?")


def section_link(q: Question) -> str | None:
    """Return the fragment-only link ``#<anchor>`` to ``q``'s section, or None.

    A quiz cell always sits in its own lesson, so the fragment alone scrolls to the
    heading; a relative ``<file>#...`` would resolve against JupyterLab's page URL
    (e.g. ``/lab``) rather than the notebook.
    """
    if not q.section:
        return None
    return f"#{anchor(q.section)}"


def _num(x: float) -> str:
    return f"{x:g}"


def answer_text(q: Question) -> str:
    """Return the correct answer as one line of plain text."""
    if q.kind == "single":
        return plain(q.answer)
    if q.kind == "multiple":
        return "; ".join(plain(a) for a in q.answer)
    if q.kind == "numeric":
        tol = f" \u00b1 {_num(q.tolerance)}" if q.tolerance else ""
        return f"{_num(q.answer)}{tol}{' ' + q.unit if q.unit else ''}"
    if q.kind == "order":
        return " \u2192 ".join(plain(s) for s in q.answer)
    return "; ".join(f"{plain(k)} \u2192 {plain(v)}" for k, v in q.answer.items())


def _choices_html(q: Question) -> str:
    if q.kind in ("single", "multiple", "order"):
        tag = "ol" if q.kind == "order" else 'ol type="A"'
        items = "".join(f"<li>{md(o)}</li>" for o in q.options)
        lead = "<p><em>Put these steps in order:</em></p>" if q.kind == "order" else ""
        return f"{lead}<{tag}>{items}</{tag.split()[0]}>"
    if q.kind == "match":
        lefts = "".join(f"<li>{md(x)}</li>" for x in q.lefts)
        rights = ", ".join(md(x) for x in q.options)
        return f"<p><em>Match each item to one of:</em> {rights}</p><ul>{lefts}</ul>"
    return f"<p><em>Answer with a number{' in ' + html.escape(q.unit) if q.unit else ''}.</em></p>"


def _details(q: Question) -> str:
    parts = [f"<p><strong>Answer:</strong> {html.escape(answer_text(q))}</p>",
             f"<p>{md(q.explanation)}</p>"]
    if q.kind in ("single", "multiple"):
        fbs = "".join(f"<li>{md(o)}: {md(f)}</li>" for o, f in zip(q.options, q.feedback) if f)
        if fbs:
            parts.append(f"<ul>{fbs}</ul>")
    link = section_link(q)
    if link:
        parts.append(f'<p>Revisit: <a href="{html.escape(link)}">{html.escape(q.section)}</a></p>')
    return "<details><summary>Show answer</summary>" + "".join(parts) + "</details>"


def prompt_html(q: Question, number: int | None = None) -> str:
    """The prompt as a paragraph, numbered by position in the cell (ids stay internal)."""
    lead = f"<strong>{number}.</strong> " if number is not None else ""
    return f"<p>{lead}{md(q.prompt)}</p>"


def question_html(q: Question, number: int | None = None) -> str:
    """Static HTML of one question: prompt, options in bank order, answer in <details>."""
    return (f'<div class="exolab-quiz exolab-quiz-static" data-question="{html.escape(q.id)}">'
            f"{prompt_html(q, number)}{_choices_html(q)}{_details(q)}</div>")


def bank_html(questions) -> str:
    """Static HTML of several questions (the cell's ``text/html`` fallback)."""
    return ('<div class="exolab-quiz-set">'
            + "".join(question_html(q, n) for n, q in enumerate(questions, 1)) + "</div>")


def question_text(q: Question, number: int | None = None) -> str:
    """Plain-text view of one question (no answer)."""
    lines = [f"{number if number is not None else q.id}. {plain(q.prompt)}"]
    if q.kind in ("single", "multiple", "order"):
        lines += [f"   {_LETTERS[i] if q.kind != 'order' else i + 1}) {plain(o)}" for i, o in enumerate(q.options)]
    elif q.kind == "match":
        lines += [f"   - {plain(x)}" for x in q.lefts]
        lines.append("   choices: " + ", ".join(plain(x) for x in q.options))
    else:
        lines.append(f"   (a number{' in ' + q.unit if q.unit else ''})")
    return "\n".join(lines)


def bank_text(questions) -> str:
    """Plain-text view of several questions."""
    return "Quiz (run the cell in JupyterLab to answer)\n\n" + "\n\n".join(
        question_text(q, n) for n, q in enumerate(questions, 1))


def explain_now(fb: Feedback, wrong_attempts: int, solved: bool = False) -> bool:
    """Decide whether a live view shows the full explanation yet.

    Option feedback and the hint are shown at once; the explanation (which gives the
    answer away, so "Try again" would become copying) only after a right answer, or
    after ``EXPLAIN_AFTER_WRONG`` valid wrong attempts.

    Parameters
    ----------
    fb : Feedback
        The latest result.
    wrong_attempts : int
        Valid wrong attempts at this question so far, including this one.
    solved : bool
        The learner already answered it right once.
    """
    return fb.valid and (fb.correct or solved or wrong_attempts >= EXPLAIN_AFTER_WRONG)


def _example_number(q: Question) -> str:
    # an example of the format that is never (near) the answer
    for x in (12, 3.5, 250, 0.8):
        if abs(x - float(q.answer)) > max(q.tolerance, 0.2 * abs(float(q.answer))):
            return str(x)
    return "7"


def invalid_message(q: Question) -> str:
    """What to do when the controls gave no valid answer, in the learner's words.

    ``Feedback.feedback`` keeps the API description ("Not a valid answer (...).
    Expected ...") for :meth:`Question.check` callers; live widgets show this instead.
    """
    if q.kind == "single":
        return "Choose an option before you submit."
    if q.kind == "multiple":
        return "Tick at least one option before you submit."
    if q.kind == "numeric":
        unit = f" in {q.unit}" if q.unit else ""
        return f"Type a number{unit}, e.g. {_example_number(q)}."
    if q.kind == "order":
        return "Choose a step for every position, each step once."
    return "Choose a partner for every item, then submit."


def feedback_html(q: Question, fb: Feedback, *, reveal: bool = True, learner: bool = False) -> str:
    """HTML shown after a submission: verdict, specific feedback, explanation, link.

    Parameters
    ----------
    q : Question
    fb : Feedback
    reveal : bool
        Include the explanation (and, for ``multiple``, the names of missed options).
        Live widgets pass :func:`explain_now`; when False a line says when the
        explanation will appear.
    learner : bool
        Word an invalid response as an instruction (:func:`invalid_message`) rather
        than the API's description of a valid response.
    """
    if not fb.valid:
        text = md(invalid_message(q)) if learner else md(fb.feedback)
        parts = [f"<p>{text}</p>"]
    else:
        verdict = "Correct" if fb.correct else "Not quite"
        specific = fb.feedback if reveal or not fb.guarded else fb.guarded
        if specific.startswith(verdict):  # "Correct: 150 nm." already says it: say it once
            lead, specific = f"<strong>{verdict}</strong>", specific[len(verdict):]
        else:
            lead, specific = f"<strong>{verdict}.</strong> ", specific
        parts = [f"<p>{lead}{md(specific)}</p>"]
        if fb.explanation and reveal:
            parts.append(f"<p>{md(fb.explanation)}</p>")
        elif fb.explanation:
            parts.append("<p><em>Try again: the full explanation appears after a right answer "
                         f"or after {EXPLAIN_AFTER_WRONG} wrong answers.</em></p>")
    link = section_link(q)
    if link and fb.valid:
        parts.append(f'<p>Revisit: <a href="{html.escape(link)}">{html.escape(q.section)}</a></p>')
    # the widget that shows this carries exolab-quiz-feedback and the state class;
    # repeating them here would give a browser test two feedback elements per question
    state = "right" if fb.correct else "wrong"
    return f'<div class="exolab-quiz-result exolab-quiz-result-{state}">' + "".join(parts) + "</div>"


def answer_html(q: Question) -> str:
    """Instructor view of the answer, shown in place."""
    return (f'<div class="exolab-quiz-key"><strong>Answer:</strong> {html.escape(answer_text(q))}'
            f"<br>{md(q.explanation)}</div>")


def key_markdown(lesson: str, questions) -> str:
    """Markdown answer key of one lesson, with explanations and per-option feedback."""
    out = [f"# Answer key: {lesson}", ""]
    for q in questions:
        out += [f"## {q.id} ({q.kind}, {q.level}, objective {q.objective})", "", q.prompt, ""]
        if q.kind in ("single", "multiple"):
            right = {q.answer} if q.kind == "single" else set(q.answer)
            for i, (o, f) in enumerate(zip(q.options, q.feedback)):
                mark = "**correct**" if o in right else "wrong"
                out.append(f"- {_LETTERS[i]}. {o} ({mark})" + (f": {f}" if f else ""))
            out.append("")
        out += [f"**Answer:** {answer_text(q)}", ""]
        if q.answer_from:
            out += [f"*Computed from the data:* `{q.answer_from}`", ""]
        out += [f"**Explanation:** {q.explanation}", "", f"*Hint:* {q.hint}", ""]
        if q.refs:
            out += ["Refs: " + ", ".join(q.refs), ""]
        if q.section:
            out += [f"Section: {q.section}", ""]
    return "\n".join(out).rstrip() + "\n"


def _candidates(correct: tuple, limit: int = 4) -> list[tuple]:
    """A few deterministic wrong arrangements of ``correct`` (for order/match export)."""
    n = len(correct)
    seen, out = {correct}, [correct]
    for cand in (correct[::-1], correct[1:] + correct[:1], (correct[1], correct[0]) + correct[2:],
                 correct[:-2] + (correct[-1], correct[-2])):
        if len(out) < limit and cand not in seen and len(cand) == n:
            seen.add(cand)
            out.append(cand)
    return out


def to_jupyterquiz(q: Question) -> dict:
    """Convert a question to jupyterquiz's JSON question form.

    single -> ``multiple_choice``; multiple -> ``many_choice``; numeric -> ``numeric``
    (value or range answers plus a default); order and match -> ``multiple_choice``
    among the right arrangement and a few wrong ones (jupyterquiz has no order kind;
    its newer ``match`` kind is not used, so the export works with older versions).
    """
    question = plain(q.prompt)
    if q.kind in ("single", "multiple"):
        right = {q.answer} if q.kind == "single" else set(q.answer)

        def option_feedback(o, f):
            if o in right:  # the right option also teaches why, as in the course
                return " ".join(x for x in ("Correct.", plain(f), plain(q.explanation)) if x)
            return plain(f) if f else "Incorrect."
        answers = [{"answer": plain(o), "correct": o in right, "feedback": option_feedback(o, f)}
                   for o, f in zip(q.options, q.feedback)]
        return {"question": question, "type": "multiple_choice" if q.kind == "single" else "many_choice",
                "answers": answers}
    if q.kind == "numeric":
        def window(value, tol):
            # jupyterquiz accepts lo <= x < hi (half-open) while the course accepts
            # |x - value| <= tol (+ a rounding margin): widen both ends by that margin
            eps = 1e-9 * max(1.0, abs(value))
            return [value - tol - eps, value + tol + eps]
        if q.tolerance:
            first = {"type": "range", "range": window(q.answer, q.tolerance),
                     "correct": True, "feedback": "Correct. " + plain(q.explanation)}
        else:
            first = {"type": "value", "value": q.answer, "correct": True, "feedback": "Correct. " + plain(q.explanation)}
        answers = [first]
        for e in q.common_errors:
            if e["tolerance"]:
                answers.append({"type": "range", "range": window(e["value"], e["tolerance"]),
                                "correct": False, "feedback": plain(e["feedback"])})
            else:
                answers.append({"type": "value", "value": e["value"], "correct": False, "feedback": plain(e["feedback"])})
        answers.append({"type": "default", "feedback": "Not quite. " + plain(q.hint)})
        return {"question": question, "type": "numeric", "answers": answers}
    if q.kind == "order":
        cands = _candidates(tuple(q.answer))
        fmt = lambda c: " \u2192 ".join(plain(s) for s in c)  # noqa: E731
        lead = "Which order is right? "
    else:
        lefts = q.lefts
        cands = [tuple(zip(lefts, c)) for c in _candidates(tuple(q.answer[k] for k in lefts))]
        fmt = lambda c: "; ".join(f"{plain(a)} \u2192 {plain(b)}" for a, b in c)  # noqa: E731
        lead = "Which pairing is right? "
    answers = [{"answer": fmt(c), "correct": i == 0,
                "feedback": "Correct. " + plain(q.explanation) if i == 0 else "Some items are out of place."}
               for i, c in enumerate(cands)]
    answers.sort(key=lambda a: a["answer"])  # do not always put the right one first
    return {"question": lead + question, "type": "multiple_choice", "answers": answers}


def scoreboard_html(rows: list[dict], *, as_of: str = "") -> str:
    """HTML table of :func:`exolab.quiz.summary` rows, with objectives to revisit.

    ``as_of`` (e.g. "as of when this cell ran; press Refresh to update") is added to
    each lesson's heading, so a learner reading it below a fresh answer knows it may lag.
    """
    if not rows:
        return "<p>No quiz banks yet.</p>"
    cell = "text-align:left;vertical-align:top;padding:2px 1.5em 2px 0"
    out = ['<div class="exolab-quiz-scoreboard" style="line-height:1.4">']
    revisit = []
    when = (f' <span style="font-weight:normal;font-size:0.85em">({html.escape(as_of)})</span>'
            if as_of else "")
    for r in rows:
        out.append(f"<h4>{html.escape(r['lesson'])}: {r['correct']}/{r['questions']} questions answered "
                   f"correctly ({r['answered']} attempted){when}</h4>")
        out.append(f'<table style="border-collapse:collapse"><thead><tr><th style="{cell}">objective</th>'
                   f'<th style="{cell}">correct</th></tr></thead><tbody>')
        for o in r["objectives"]:
            label = html.escape(o["id"] + (f": {o['text']}" if o["text"] else ""))
            out.append(f'<tr><td style="{cell}">{label}</td>'
                       f'<td style="{cell};white-space:nowrap">{o["correct"]}/{o["questions"]}</td></tr>')
            if o["revisit"]:
                revisit.append(f"<li>{html.escape(r['lesson'])}: {label}</li>")
        out.append("</tbody></table>")
    out.append("<p><strong>Objectives to revisit:</strong></p>"
               + (f"<ul>{''.join(revisit)}</ul>" if revisit else "<p>none so far.</p>"))
    return "".join(out) + "</div>"


def scoreboard_text(rows: list[dict]) -> str:
    """Plain-text version of :func:`scoreboard_html`."""
    lines = []
    for r in rows:
        lines.append(f"{r['lesson']}: {r['correct']}/{r['questions']} correct")
        lines += [f"  {o['id']}: {o['correct']}/{o['questions']}" + ("  (revisit)" if o["revisit"] else "")
                  for o in r["objectives"]]
    return "\n".join(lines) or "No quiz banks yet."
