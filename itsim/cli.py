"""The ``itsim`` command: ``itsim course`` opens the course in JupyterLab.

Errors end with exit code 2 and one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from . import DISCLAIMER, __version__
from .errors import InputError, ItsimError

START_PAGE = "lessons/00_start_here.ipynb"
PATIENT_PAGE = "lessons/09_living_with_a_pump.ipynb"


def course_root(explicit: str | None = None) -> Path:
    """The folder holding ``lessons/``: ``--dir``, else the checkout itsim was installed from,
    else the current folder."""
    candidates = [Path(explicit)] if explicit else [Path(__file__).resolve().parents[1],
                                                    Path.cwd()]
    for root in candidates:
        if (root / START_PAGE).is_file():
            return root.resolve()
    where = explicit or "the itsim checkout or the current folder"
    raise InputError("--dir", where, f"no {START_PAGE} there (the lessons are not part of the "
                     "installed package); give the course folder (a clone of the course "
                     "repository) with --dir")


# Jupyter options (traitlets): "--Class.trait=value" or "--Class.trait value", one or two
# dashes, any class name (config given to a class also reaches its subclasses), so they are
# judged by the trait's name. Aliases are rewritten to their traits first.
JUPYTER_OPTION = re.compile(r"^--?([A-Za-z]\w*(?:\.\w+)*)(?:=(.*))?$", re.S)
JUPYTER_ALIASES = {"ip": "ServerApp.ip", "config": "JupyterApp.config_file",
                   "notebook-dir": "ServerApp.root_dir", "port": "ServerApp.port"}
JUPYTER_FLAGS = {"no-browser", "allow-root", "debug", "y", "no-script", "script", "watch",
                 "autoreload", "collaborative", "core-mode", "dev-mode", "custom-css",
                 "expose-app-in-browser", "extensions-in-dev-mode", "skip-dev-build",
                 "splice-source", "generate-config", "show-config", "show-config-json"}
NOT_EMPTY = {"token", "password", "hashed_password"}          # empty switches the login off
NOT_TRUE = {"disable_check_xsrf", "allow_remote_access", "allow_credentials"}
REFUSED = {"identity_provider_class", "authorizer_class", "login_handler_class",
           "logout_handler_class", "tornado_settings", "allow_origin", "allow_origin_pat",
           "config_file", "config_file_name"}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def jupyter_options(args) -> list[tuple[str, str | None]]:
    """The ``(Class.trait, value)`` pairs in Jupyter command-line ``args``, in both forms
    (``--X=v`` and ``--X v``); flags give ``None``; stops at a bare ``--`` (files follow)."""
    out, i = [], 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            break
        m = JUPYTER_OPTION.match(arg)
        if not m:
            continue                                    # a file to open
        name, value = m.group(1), m.group(2)
        name = JUPYTER_ALIASES.get(name, name)
        if value is None and name not in JUPYTER_FLAGS:
            nxt = args[i] if i < len(args) else None
            if nxt is not None and not nxt.startswith("-"):
                value, i = nxt, i + 1
        out.append((name, value))
    return out


def _plain(value: str | None) -> str:
    """A traitlets string value as Jupyter reads it: outer matching quotes removed."""
    text = (value or "").strip()
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def refuse_unsafe(args) -> None:
    """Raise :class:`InputError` for a Jupyter option that switches authentication off, opens
    the server beyond this computer or to other web sites, or loads settings we cannot see."""
    for name, value in jupyter_options(args):
        trait = name.rsplit(".", 1)[-1]
        shown = f"--{name}" + ("" if value is None else f"={value}")
        if trait in NOT_EMPTY and _plain(value) in ("", "None"):
            raise InputError("jupyter option", shown, "the course keeps Jupyter's token "
                             "authentication on (no empty token or password)")
        if trait in NOT_TRUE and _plain(value).lower() not in ("false", "0"):
            raise InputError("jupyter option", shown, "the course keeps Jupyter's request "
                             "checks and remote-access limits on")
        if trait in REFUSED:
            raise InputError("jupyter option", shown, "the course keeps Jupyter's own login "
                             "and origin checks (and no extra config file)")
        if trait == "ip" and _plain(value) not in LOOPBACK:
            raise InputError("jupyter option", shown, "this computer only: 127.0.0.1, "
                             "localhost or ::1")


def lab_command(root: Path, port: int | None, browser: bool, extra=()) -> list[str]:
    """The JupyterLab command line: localhost only, Jupyter's normal token auth. Extra
    Jupyter options may be added, but not ones that switch authentication off."""
    refuse_unsafe(extra)
    cmd = [sys.executable, "-m", "jupyterlab", START_PAGE,
           f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1"]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")   # containers and CI run as root; auth stays on
    return cmd + list(extra)


def _course(args) -> int:
    root = course_root(args.dir)
    if args.port is not None and not 1 <= args.port <= 65535:
        raise InputError("--port", args.port, "expected a port number from 1 to 65535")
    cmd = lab_command(root, args.port, not args.no_browser, _extra(args.jupyter_args))
    print(DISCLAIMER, file=sys.stderr, flush=True)
    if args.print_command:
        print(" ".join(cmd))
        return 0
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(root)
    os.execv(cmd[0], cmd)          # JupyterLab takes this process over: Ctrl+C and signals
    return 0                       # reach it directly, and nothing is left behind


def lessons(root: Path) -> list[str]:
    """The course's lessons (``lessons/*.ipynb``), by name."""
    return sorted(p.stem for p in (root / "lessons").glob("*.ipynb"))


def lesson_path(root: Path, page: str) -> Path:
    """The lesson ``page`` names: ``07_refill``, ``07_refill.ipynb`` or a path to a file in
    the course's ``lessons/`` folder. Anything else is refused."""
    folder = (root / "lessons").resolve()
    given = Path(page)
    candidates = [given, root / given, folder / given] if given.suffix == ".ipynb" else \
        [folder / f"{page}.ipynb"]
    for path in candidates:
        if path.is_file() and path.resolve().parent == folder:
            return path.resolve()
    raise InputError("page", page, "a lesson of the course: " + ", ".join(lessons(root)))


def app_command(root: Path, page: str, port: int | None, browser: bool) -> list[str]:
    """The Voila command line for one lesson of the course: code hidden, widgets live,
    localhost only, with a token (Voila's auto token)."""
    path = lesson_path(root, page)
    cmd = [sys.executable, "-m", "voila", str(path), "--Voila.ip=127.0.0.1", "--token",
           f"--Voila.root_dir={root}"]
    if port is not None:
        cmd.append(f"--port={port}")
    if not browser:
        cmd.append("--no-browser")
    return cmd


def _app(args) -> int:
    root = course_root(args.dir)
    if args.port is not None and not 1 <= args.port <= 65535:
        raise InputError("--port", args.port, "expected a port number from 1 to 65535")
    cmd = app_command(root, args.page or PATIENT_PAGE, args.port, not args.no_browser)
    print(DISCLAIMER, file=sys.stderr, flush=True)
    if args.print_command:
        print(" ".join(cmd))
        return 0
    sys.stdout.flush()
    os.chdir(root)
    os.execv(cmd[0], cmd)
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line and exit code 2, without the usage block."""

    def error(self, message):
        _fail(self.prog, message)


def _run(args) -> int:
    from .authoring import run_case
    from .scenario import parse_toml, read
    _check_csv_options(args)
    title, timeline = run_case(parse_toml(read(args.scenario), Path(args.scenario).name),
                               Path(args.scenario).name)
    if args.csv:
        every = csv_every(args.every, timeline.step_minutes, timeline.commanded.size)
        try:
            timeline.to_csv(args.csv, every=every)
        except OSError as e:
            raise InputError("--csv", args.csv, f"cannot be written ({e.strerror})") from None
    if args.json:
        print(json.dumps({"title": title, **json.loads(timeline.to_json())}, indent=2))
    else:
        print(title)
        print(timeline.text_summary())
    return 0


def _check_csv_options(args) -> None:
    """``--every`` and ``--csv`` before the run: a spacing only with a CSV, more than 0, and
    a CSV that is not the scenario itself."""
    if args.every is not None:
        if not args.csv:
            raise InputError("--every", args.every, "used only with --csv FILE (the spacing "
                             "of its rows)")
        if not 0 < args.every < float("inf"):
            raise InputError("--every", args.every, "minutes between CSV rows, more than 0")
    if args.csv:
        refuse_overwrite("--csv", args.csv, args.scenario)


def csv_every(minutes: float | None, step: float, steps: int) -> int:
    """CSV rows every this many steps: ``minutes`` must be a whole number of steps and at
    most the run; without it, the whole number of steps nearest an hour (at least one)."""
    if minutes is None:
        return max(1, round(60 / step))
    ratio = minutes / step
    whole = round(ratio)
    if whole < 1 or abs(ratio - whole) > 1e-9 * ratio:
        raise InputError("--every", minutes, f"a whole multiple of the scenario's step "
                         f"({step:g} min), e.g. {step * max(1, round(60 / step)):g}")
    if whole > steps:
        raise InputError("--every", minutes, f"at most the length of the run "
                         f"({step * steps:g} min)")
    return whole


def refuse_overwrite(parameter: str, output, *inputs) -> None:
    """Raise :class:`InputError` if ``output`` is one of the ``inputs`` (resolved paths, or
    the same file under another name)."""
    out = Path(output)
    for given in inputs:
        source = Path(given)
        same = out.resolve() == source.resolve() or (
            out.exists() and source.exists() and os.path.samefile(out, source))
        if same:
            raise InputError(parameter, str(output), f"a file other than the input {given}")


def _check(args) -> int:
    from .authoring import review_file
    result = review_file(args.case)
    problems = result.problems
    if not problems:
        print(f"{args.case}: fine. Run it with: itsim run {args.case}")
        if result.findings:
            print(f"It runs, with {len(result.findings)} dosing finding"
                  f"{'s' if len(result.findings) > 1 else ''} to read:")
            for f in result.findings:
                print(f"- {f}")
        return 0
    print(f"{args.case}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
    for p in problems:
        print(f"- {p}")
    return 1


def _new_case(args) -> int:
    from .authoring import new_case
    text = new_case(args.template)
    if args.output:
        out = Path(args.output)
        if out.exists():
            raise InputError("--output", args.output, "a new file (this one exists)")
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as e:
            raise InputError("--output", args.output, f"cannot be written ({e.strerror})") \
                from None
        print(f"wrote {out}; check it with: itsim check {out}")
    else:
        print(text, end="")
    return 0


def _export(args) -> int:
    from .handout import export_html
    if not args.html:
        raise InputError("format", None, "--html (the one format so far)")
    out = export_html(_notebook_arg(args.lesson, args.dir), args.output, code=not args.no_code)
    print(f"wrote {out}")
    return 0


def _notebook_arg(lesson: str, folder: str | None) -> Path:
    """``export``'s notebook: a .ipynb file (here or in the course), or a lesson's name."""
    if lesson.endswith(".ipynb"):
        return Path(lesson) if Path(lesson).exists() else course_root(folder) / lesson
    root = course_root(folder)
    path = root / "lessons" / f"{lesson}.ipynb"
    if "/" in lesson or "\\" in lesson or not path.is_file():
        raise InputError("lesson", lesson, "a notebook file (.ipynb) or a lesson of the "
                         "course: " + ", ".join(lessons(root)))
    return path


def _link(args) -> int:
    from .authoring import hub_link                  # it refuses an empty repo or branch
    print(hub_link(args.hub, args.repo, args.branch))
    return 0


def scenario_arg(text: str) -> str:
    """A scenario argument: the file if it exists, else the shipped scenario of that name
    (``catheter_occlusion``), else as given (loading it then says what is wrong)."""
    from . import shipped
    if Path(text).exists() or "/" in text or "\\" in text:
        return text
    try:
        return str(shipped.scenario(text))
    except InputError:
        return text


def _extra(args: list[str]) -> list[str]:
    return args[1:] if args[:1] == ["--"] else args


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="itsim", description="itsim: an interactive course and simulator of intrathecal "
        "drug delivery. " + DISCLAIMER)
    p.add_argument("--version", action="version", version=f"itsim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    c = sub.add_parser("course", help="open the course in JupyterLab at the start page",
                       description="Start JupyterLab on this machine (127.0.0.1, with "
                       "Jupyter's token) at " + START_PAGE + ".")
    c.add_argument("--dir", help="the course folder (default: the itsim checkout)")
    c.add_argument("--port", type=int, help="port to listen on (default: Jupyter's choice)")
    c.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    c.add_argument("--print-command", action="store_true",
                   help="print the JupyterLab command instead of running it")
    c.add_argument("jupyter_args", nargs=argparse.REMAINDER, metavar="-- JUPYTER_OPTION",
                   help="further JupyterLab options after --")
    c.set_defaults(run=_course)
    a = sub.add_parser("app", help="open a lesson of the course as an app, code hidden "
                       "(default: the patients' pages)", description="Serve one lesson of "
                       "the course (lessons/*.ipynb) with Voila on this machine (127.0.0.1, "
                       "with a token): code hidden, widgets live. Default: " + PATIENT_PAGE
                       + ".")
    a.add_argument("page", nargs="?", help="a lesson, e.g. 07_refill or "
                   "lessons/07_refill.ipynb (default: the patients' pages); other notebooks "
                   "are refused")
    a.add_argument("--dir", help="the course folder (default: the itsim checkout)")
    a.add_argument("--port", type=int, help="port to listen on (default: Voila's, 8866)")
    a.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    a.add_argument("--print-command", action="store_true",
                   help="print the Voila command instead of running it")
    a.set_defaults(run=_app)
    r = sub.add_parser("run", help="simulate a scenario file and print a summary",
                       description="Simulate a scenario (TOML) and print a readable summary, or "
                       "JSON with --json.")
    r.add_argument("scenario", type=scenario_arg,
                   help="the scenario file, e.g. scenarios/baclofen_first_months.toml, or the "
                   "name of one shipped with itsim, e.g. catheter_occlusion")
    r.add_argument("--json", action="store_true", help="print the summary and event log as JSON")
    r.add_argument("--csv", metavar="FILE", help="also write the time series to FILE")
    r.add_argument("--every", type=float, metavar="MINUTES",
                   help="CSV row spacing in minutes, a whole multiple of the scenario's step "
                   "(default: the whole number of steps nearest 60)")
    r.set_defaults(run=_run)
    k = sub.add_parser("check", help="check a scenario file and explain every problem",
                       description="Check a scenario (TOML) as itsim run would and list every "
                       "problem in plain words. Exit 0 when fine, 1 when not.")
    k.add_argument("case", type=scenario_arg, help="the scenario file (or the name of one "
                   "shipped with itsim)")
    k.set_defaults(run=_check)
    n = sub.add_parser("new-case", help="write a commented starting scenario",
                       description="Print (or write) a commented scenario file to start from.")
    n.add_argument("--template", default="basic", help="basic, refill or complication")
    n.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of printing")
    n.set_defaults(run=_new_case)
    x = sub.add_parser("export", help="write a lesson as a static HTML handout",
                       description="Run a lesson in a fresh kernel and write it as one HTML "
                       "page with its figures (and widgets drawn from their saved state).")
    x.add_argument("lesson", help="a lesson, e.g. 07_refill or lessons/07_refill.ipynb")
    x.add_argument("--html", action="store_true", help="write HTML (needed)")
    x.add_argument("--output", "-o", metavar="FILE", help="where to write (default: beside it)")
    x.add_argument("--no-code", action="store_true", help="leave the code cells out")
    x.add_argument("--dir", help="the course folder (default: the itsim checkout)")
    x.set_defaults(run=_export)
    li = sub.add_parser("link", help="print a hub link that opens the course for learners",
                        description="An nbgitpuller link: each learner's JupyterHub server "
                        "pulls the course and opens the start page.")
    li.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.org")
    li.add_argument("--repo", default="https://github.com/itsim/itsim",
                    help="the course repository (default: %(default)s)")
    li.add_argument("--branch", default="main")
    li.set_defaults(run=_link)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "run", None):
        p.print_help()
        return 0
    try:
        return args.run(args)
    except ItsimError as e:
        _fail("itsim", str(e))
    except KeyboardInterrupt:
        print("itsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:                  # `itsim run ... | head`: the reader went away
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())   # no second error when Python flushes at exit
        return 1


def _fail(prog: str, message: str):
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(2)

