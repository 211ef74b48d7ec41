"""Browser-test harness used by ``conftest.py`` and the browser tests.

:class:`LabSession` wraps a running JupyterLab server and a headless Chromium:
it opens a notebook, clears and re-runs it as a learner would (Run All) and
collects everything wrong the page shows into a :class:`RunReport`.
"""
from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# A cell's top-level outputs (not outputs of Output widgets nested inside a panel);
# a rendered widget view is one whose direct child is a `.jupyter-widgets` element.
CELL_OUTPUT = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
WIDGET_VIEW = CELL_OUTPUT + ":has(> .jupyter-widgets)"
# Text a widget prints when it is shown as its Python repr instead of rendered.
WIDGET_REPR = re.compile(
    r"\b(?:VBox|HBox|Box|GridBox|Tab|Accordion|Stack)\(children="
    r"|\bOutput\((?:\)|outputs=|layout=)"
    r"|\b\w*(?:Slider|Dropdown|Button|RadioButtons|ToggleButtons|Text|HTML)\((?:value|description|options|index|layout)=")

# JavaScript run in the page against window.jupyterapp (exposed with --expose-app-in-browser).
_JS_STATE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model || !w.sessionContext) return null;
  const s = w.sessionContext;
  const kernel = s.session && s.session.kernel;
  const cells = Array.from(w.content.model.cells);
  const code = cells.filter(c => c.type === 'code');
  const errors = [];
  code.forEach((c, i) => {
    for (let k = 0; k < c.outputs.length; k++) {
      const o = c.outputs.get(k);
      if (o.type === 'error') {
        const j = o.toJSON();
        errors.push(`code cell ${i + 1}: ${j.ename}: ${j.evalue}`);
      }
    }
  });
  return {
    kernel: kernel ? kernel.status : 'none',
    ready: s.isReady,
    code: code.length,
    missing: code.map((c, i) => c.executionCount == null ? i + 1 : null).filter(i => i !== null),
    errors: errors,
  };
}"""


# True if any notebook cell is visible inside the scrolling panel.
_CELL_IN_VIEW = """sel => {
  const e = document.querySelector(sel);
  if (!e) return false;
  const box = e.getBoundingClientRect();
  return Array.from(e.querySelectorAll('.jp-Cell')).some(c => {
    const r = c.getBoundingClientRect();
    return r.height > 0 && r.bottom > box.top + 20 && r.top < box.bottom - 20;
  });
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


@dataclass
class RunReport:
    """What one notebook run in the browser showed.

    Attributes
    ----------
    name : str
        Lesson (or fixture) name used in messages and artifact file names.
    seconds_to_widgets : float
        Seconds from Run All until every code cell ran and the expected widgets rendered.
    widget_views : int
        Rendered top-level widget views.
    problems : list of str
        Everything wrong that was seen; empty for a healthy notebook.
    """

    name: str
    seconds_to_widgets: float = float("nan")
    widget_views: int = 0
    problems: list[str] = field(default_factory=list)

    def assert_ok(self) -> None:
        """Raise AssertionError listing every problem seen, naming the notebook."""
        assert not self.problems, f"{self.name}: " + "; ".join(self.problems)


class LabSession:
    """A running JupyterLab server plus a headless Chromium talking to it.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:<port>/``.
    token : str
        The server's auth token.
    browser : playwright.sync_api.Browser
        Chromium launched from ``EXOLAB_CHROMIUM``.
    progress : pathlib.Path
        The server's ``EXOLAB_PROGRESS`` file (shared by every kernel it starts).
    """

    def __init__(self, base_url: str, token: str, browser, progress: Path):
        self.base_url, self.token, self.browser, self.progress = base_url, token, browser, progress
        self.timings: dict[str, float] = {}
        # one context for the session: JupyterLab's bundles are fetched once and cached
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})

    # -- REST ---------------------------------------------------------------
    def api(self, method: str, path: str):
        """Call the server's REST API; return the decoded JSON (or None)."""
        req = urllib.request.Request(self.base_url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel the server runs (best effort)."""
        try:
            for k in self.api("GET", "api/kernels") or []:
                self.api("DELETE", f"api/kernels/{k['id']}")
        except (OSError, urllib.error.URLError):
            pass

    # -- browser ------------------------------------------------------------
    def close(self, page) -> None:
        """Close ``page`` without saving and shut down its kernel (and any other)."""
        page.close()
        self.shutdown_kernels()

    def open(self, relpath: str, *, timeout: float = 60):
        """Open ``relpath`` (relative to the repository) in a fresh page; wait for its kernel."""
        page = self.context.new_page()
        page.set_default_timeout(timeout * 1000)
        page.goto(f"{self.base_url}lab/tree/{relpath}?reset&token={self.token}")
        page.wait_for_function(
            "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return w && w.sessionContext && w.sessionContext.isReady && w.content && w.content.model"
            " && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle'; }",
            timeout=timeout * 1000)
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        return page

    def run_all(self, page, name: str, *, expected_widgets: int, timeout: float = 90,
                widget_grace: float = 10) -> RunReport:
        """Clear outputs, Run All, wait, and collect every problem the page shows.

        Parameters
        ----------
        page : playwright.sync_api.Page
            A page from :meth:`open`.
        name : str
            Name for messages, the screenshot and timings.
        expected_widgets : int
            Minimum number of rendered top-level widget views.
        timeout : float
            Seconds to wait for the run to finish.
        widget_grace : float
            Seconds to keep waiting for widget views once every cell has run.

        Returns
        -------
        RunReport
        """
        report = RunReport(name)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.wait_for_function(f"() => document.querySelectorAll('{CELL_OUTPUT}').length === 0")
        start = time.perf_counter()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        deadline = start + timeout
        state, views, done_at = None, 0, None
        while time.perf_counter() < deadline:
            state = page.evaluate(_JS_STATE)
            views = self.rendered_widgets(page)
            done = state and state["kernel"] == "idle" and (not state["missing"] or state["errors"])
            done_at = (done_at or time.perf_counter()) if done else None
            if done and (views >= expected_widgets or state["errors"]
                         or time.perf_counter() - done_at > widget_grace):
                break
            page.wait_for_timeout(100)
        else:
            report.problems.append(f"not finished after {timeout:.0f} s: kernel {state and state['kernel']}, "
                                   f"cells never run {state and state['missing']}, "
                                   f"{views}/{expected_widgets} widgets rendered")
        report.seconds_to_widgets = round(time.perf_counter() - start, 3)
        self.timings[name] = report.seconds_to_widgets
        page.wait_for_timeout(300)  # let late widget views attach before inspecting
        report.widget_views = self.rendered_widgets(page)
        if state:
            report.problems += [f"error output in {e}" for e in state["errors"]]
            if state["missing"] and not state["errors"]:
                report.problems.append(f"code cells without execution count: {state['missing']}")
        report.problems += self.page_problems(page)
        if report.widget_views < expected_widgets:
            report.problems.append(f"only {report.widget_views} rendered widget views, expected >= {expected_widgets}")
        return report

    @staticmethod
    def rendered_widgets(page) -> int:
        """Count top-level widget views that really rendered (have a jupyter-widgets child)."""
        return page.evaluate(
            f"() => Array.from(document.querySelectorAll('{WIDGET_VIEW}'))"
            ".filter(e => !e.textContent.includes('Error displaying widget'))"
            ".length")

    @staticmethod
    def page_problems(page) -> list[str]:
        """Return tracebacks, stderr, widget errors and widget reprs visible in outputs."""
        found = page.evaluate("""() => {
          const out = [];
          document.querySelectorAll('.jp-OutputArea-output').forEach(e => {
            out.push({mime: e.getAttribute('data-mime-type') || '', text: e.innerText || '',
                      widget: e.querySelector(':scope > .jupyter-widgets') !== null});
          });
          return out;
        }""")
        problems = []
        for o in found:
            text, snippet = o["text"], " ".join(o["text"].split())[:160]
            if o["mime"] == "application/vnd.jupyter.stderr" and ("Traceback" in text or "Error" in text):
                problems.append(f"stderr/traceback output: {snippet!r}")
            elif "Traceback (most recent call last)" in text:
                problems.append(f"traceback in output: {snippet!r}")
            if "Error displaying widget" in text:
                problems.append(f"'Error displaying widget': {snippet!r}")
            if not o["widget"] and WIDGET_REPR.search(text):
                problems.append(f"widget shown as text repr: {snippet!r}")
        return problems

    def screenshot(self, page, name: str) -> Path:
        """Save the whole notebook as ``test-artifacts/browser/<name>-NN.png`` pages.

        The notebook scrolls inside its own panel, so the page is photographed one
        screenful at a time (with a little overlap) by scrolling that panel: every cell
        is captured however long the lesson is, and each picture stays readable.
        Returns the path of the first page.
        """
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{name}-[0-9][0-9].png"):
            old.unlink()
        scroller = ".jp-NotebookPanel .jp-WindowedPanel-outer"
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": 1800})
        page.wait_for_timeout(200)
        total = page.evaluate(f"() => {{ const e = document.querySelector('{scroller}'); return e ? e.scrollHeight : 0; }}")
        view = page.evaluate(f"() => {{ const e = document.querySelector('{scroller}'); return e ? e.clientHeight : 0; }}")
        step = max(view - 100, 200)
        paths, offset = [], 0
        while True:
            page.evaluate(f"y => {{ const e = document.querySelector('{scroller}'); if (e) e.scrollTop = y; }}", offset)
            page.wait_for_timeout(250)  # let windowed cells render before the picture
            # JupyterLab adds empty "scroll past the end" space: stop once no cell is in view
            if paths and not page.evaluate(_CELL_IN_VIEW, scroller):
                break
            path = ARTIFACTS / f"{name}-{len(paths):02d}.png"
            page.screenshot(path=str(path))
            paths.append(path)
            # the panel may grow as cells render: re-read its height every page
            total = page.evaluate(f"() => {{ const e = document.querySelector('{scroller}'); return e ? e.scrollHeight : 0; }}")
            offset += step
            if not view or offset >= total - 100 or len(paths) >= 60:
                break
        page.evaluate(f"() => {{ const e = document.querySelector('{scroller}'); if (e) e.scrollTop = 0; }}")
        page.set_viewport_size(size)
        return paths[0]

    def saved(self, relpath: str) -> bool:
        """Return True if the server log shows that ``relpath`` was saved (tests must never save)."""
        log = getattr(self, "log_path", None)
        lines = Path(log).read_text(errors="replace").splitlines() if log else []
        return any("Saving file at" in line and line.rstrip().endswith(relpath) for line in lines)

    def read_progress(self) -> str:
        """Return the text of the progress file ('' if absent)."""
        return self.progress.read_text() if self.progress.exists() else ""


def _user_settings(config_dir: Path) -> None:
    """No autosave (tests never write notebooks), no news pop-ups, every cell in the DOM."""
    base = config_dir / "lab" / "user-settings" / "@jupyterlab"
    _write_json(base / "docmanager-extension" / "plugin.jupyterlab-settings", {"autosave": False})
    _write_json(base / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    _write_json(base / "notebook-extension" / "tracker.jupyterlab-settings", {"windowingMode": "none"})


