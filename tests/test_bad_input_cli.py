"""The CLI part of the bad-input corpus: every command, given something it cannot use, exits 2
with exactly one line on stderr (no traceback, no usage block, no disclaimer first) and leaves
its inputs as they were. The CLI runs in-process (fast); os.execv is replaced so that a case
that wrongly passed could not start a server."""
import os
from pathlib import Path

import pytest

from itsim import cli
from test_cli import SHORT as CASE

ROOT = Path(__file__).resolve().parents[1]

# CASE: a short case (two days in 10-minute steps) so that options checked after the run stay
# fast, the one test_cli uses (tests/ is on sys.path, as for the benchmarks).


@pytest.fixture()
def files(tmp_path, monkeypatch):
    """A folder of inputs, good and bad, as the working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case.toml").write_text(CASE)
    os.link(tmp_path / "case.toml", tmp_path / "hardlink.csv")
    (tmp_path / "symlink.csv").symlink_to(tmp_path / "case.toml")
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "utf16.toml").write_text(CASE, encoding="utf-16")
    (tmp_path / "empty.toml").write_text("")
    (tmp_path / "broken.toml").write_text("[pump\nkind = programmable")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.ipynb").mkdir()
    (tmp_path / "notes.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    (tmp_path / "also_notes.html").symlink_to(tmp_path / "notes.ipynb")
    (tmp_path / "binary.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "existing.toml").write_text("# mine\n")
    (tmp_path / "jupyter_config.py").write_text("c.IdentityProvider.token = ''\n")
    return tmp_path


LESSON = str(ROOT / "lessons" / "07_refill.ipynb")
NOT_IN_COURSE = str(ROOT / "exercises" / "07_refill.ipynb")

CASES = {
    # top level
    "unknown command": (["bogus"], "invalid choice"),
    "unknown option": (["--bogus"], "unrecognized arguments"),
    # course
    "course: port not a number": (["course", "--port", "x"], "invalid int value"),
    "course: port too high": (["course", "--port", "70000"], "--port = 70000"),
    "course: port zero": (["course", "--port", "0"], "--port = 0"),
    "course: negative port": (["course", "--port", "-5"], "--port = -5"),
    "course: folder missing": (["course", "--dir", "/nonexistent"], "--dir = '/nonexistent'"),
    "course: folder without lessons": (["course", "--dir", "folder"], "--dir = 'folder'"),
    "course: --dir is a file": (["course", "--dir", "case.toml"], "--dir = 'case.toml'"),
    "course: unknown option": (["course", "--bogus"], "unrecognized arguments"),
    "course: empty token, two words": (["course", "--", "--ServerApp.token", ""], "token"),
    "course: empty token, one word": (["course", "--", "--ServerApp.token="], "token"),
    "course: quoted empty token": (["course", "--", "--IdentityProvider.token=''"], "token"),
    "course: one dash, quoted": (["course", "--", "-IdentityProvider.token", '""'], "token"),
    "course: token without value": (["course", "--", "--IdentityProvider.token"], "token"),
    "course: blank token": (["course", "--", "--ServerApp.token", "  "], "token"),
    "course: subclass token": (["course", "--", "--PasswordIdentityProvider.token="], "token"),
    "course: empty password": (["course", "--", "--NotebookApp.password", ""], "password"),
    "course: empty hashed password": (
        ["course", "--", "--PasswordIdentityProvider.hashed_password="], "password"),
    "course: xsrf off": (["course", "--", "--ServerApp.disable_check_xsrf=True"], "xsrf"),
    "course: xsrf off, two words": (["course", "--", "--ServerApp.disable_check_xsrf", "1"],
                                    "xsrf"),
    "course: remote access": (["course", "--", "--ServerApp.allow_remote_access", "true"],
                              "remote"),
    "course: every origin": (["course", "--", "--ServerApp.allow_origin=*"], "origin"),
    "course: own identity provider": (
        ["course", "--", "--ServerApp.identity_provider_class",
         "jupyter_server.auth.identity.IdentityProvider"], "identity_provider_class"),
    "course: all interfaces": (["course", "--", "--ip", "0.0.0.0"], "127.0.0.1"),
    "course: all interfaces, alias with =": (["course", "--", "--ip=*"], "127.0.0.1"),
    "course: empty ip": (["course", "--", "--ServerApp.ip="], "127.0.0.1"),
    "course: a config file": (["course", "--", "--config", "jupyter_config.py"], "config"),
    "course: unsafe after safe ones": (
        ["course", "--no-browser", "--", "--LabApp.news_url=None", "--no-browser",
         "--ServerApp.token", ""], "token"),
    # app
    "app: unknown lesson": (["app", "no_such_lesson"], "page = 'no_such_lesson'"),
    "app: a system file": (["app", "/etc/passwd"], "page = '/etc/passwd'"),
    "app: a notebook elsewhere": (["app", "notes.ipynb"], "page = 'notes.ipynb'"),
    "app: an exercise, not a lesson": (["app", NOT_IN_COURSE], "a lesson of the course"),
    "app: a folder": (["app", "folder.ipynb"], "page = 'folder.ipynb'"),
    "app: a path out of the lessons": (["app", "lessons/../README"], "a lesson of the course"),
    "app: port too high": (["app", "--port", "99999"], "--port = 99999"),
    "app: two pages": (["app", "07_refill", "08_complications"], "unrecognized arguments"),
    "app: folder missing": (["app", "--dir", "/nonexistent"], "--dir = '/nonexistent'"),
    # run
    "run: no scenario": (["run"], "required: scenario"),
    "run: missing file": (["run", "/nonexistent.toml"], "no such file"),
    "run: unknown shipped name": (["run", "no_such_case"], "scenario = 'no_such_case'"),
    "run: a folder": (["run", "folder"], "folder"),
    "run: a binary file": (["run", "binary.toml"], "binary"),
    "run: UTF-16": (["run", "utf16.toml"], "scenario = 'utf16.toml'"),
    "run: empty file": (["run", "empty.toml"], "not allowed"),
    "run: broken TOML": (["run", "broken.toml"], "TOML"),
    "run: --every without --csv": (["run", "case.toml", "--every", "60"], "--csv"),
    "run: --every not a number": (["run", "case.toml", "--csv", "o.csv", "--every", "x"],
                                  "invalid float value"),
    "run: --every zero": (["run", "case.toml", "--csv", "o.csv", "--every", "0"], "more than 0"),
    "run: --every negative": (["run", "case.toml", "--csv", "o.csv", "--every", "-10"],
                              "more than 0"),
    "run: --every nan": (["run", "case.toml", "--csv", "o.csv", "--every", "nan"], "more than 0"),
    "run: --every infinite": (["run", "case.toml", "--csv", "o.csv", "--every", "inf"],
                              "more than 0"),
    "run: --every beyond the run": (["run", "case.toml", "--csv", "o.csv", "--every", "1e300"],
                                    "at most the length of the run (2880 min)"),
    "run: --every just past the run": (["run", "case.toml", "--csv", "o.csv", "--every",
                                        "2890"], "at most the length"),
    "run: --every not a multiple": (["run", "case.toml", "--csv", "o.csv", "--every", "15"],
                                    "whole multiple of the scenario's step (10 min)"),
    "run: --every below one step": (["run", "case.toml", "--csv", "o.csv", "--every", "1"],
                                    "whole multiple"),
    "run: --csv over the scenario": (["run", "case.toml", "--csv", "case.toml"], "the input"),
    "run: --csv over it by another path": (["run", "case.toml", "--csv", "./folder/../case.toml"],
                                           "the input"),
    "run: --csv over it by a symlink": (["run", "case.toml", "--csv", "symlink.csv"],
                                        "the input"),
    "run: --csv over it by a hard link": (["run", "case.toml", "--csv", "hardlink.csv"],
                                          "the input"),
    "run: --csv is a folder": (["run", "case.toml", "--csv", "folder"], "cannot be written"),
    "run: --csv in a missing folder": (["run", "case.toml", "--csv", "no/such/dir.csv"],
                                       "cannot be written"),
    # check
    "check: no file": (["check"], "required: case"),
    "check: missing file": (["check", "/nonexistent.toml"], "no such file"),
    "check: a folder": (["check", "folder"], "folder"),
    "check: a binary file": (["check", "binary.toml"], "binary"),
    # new-case
    "new-case: unknown template": (["new-case", "--template", "bogus"], "--template = 'bogus'"),
    "new-case: over an existing file": (["new-case", "-o", "existing.toml"], "exists"),
    "new-case: over a folder": (["new-case", "-o", "folder"], "exists"),
    "new-case: in a missing folder": (["new-case", "-o", "no/such/dir.toml"],
                                      "cannot be written"),
    # export
    "export: without --html": (["export", "07_refill"], "--html"),
    "export: unknown lesson": (["export", "nope", "--html"], "lesson = 'nope'"),
    "export: a path that is no notebook": (["export", "case.toml", "--html"], "lesson = "),
    "export: missing notebook": (["export", "gone.ipynb", "--html"], "no such file"),
    "export: a folder": (["export", "folder.ipynb", "--html"], "folder"),
    "export: over its own source": (["export", "notes.ipynb", "--html", "-o", "notes.ipynb"],
                                    "--output"),
    "export: over a lesson": (["export", "notes.ipynb", "--html", "-o", LESSON], ".html"),
    "export: over its source by a symlink": (
        ["export", "notes.ipynb", "--html", "-o", "also_notes.html"], "other than the lesson"),
    "export: not HTML": (["export", "notes.ipynb", "--html", "-o", "notes.txt"], ".html"),
    "export: a binary notebook": (["export", "binary.ipynb", "--html"], "readable notebook"),
    "export: folder missing": (["export", "nope", "--html", "--dir", "/nonexistent"], "--dir"),
    # link
    "link: no hub": (["link"], "required: --hub"),
    "link: hub without https": (["link", "--hub", "hub.example.org"], "--hub"),
    "link: empty branch": (["link", "--hub", "https://hub.example.org", "--branch", ""],
                           "--branch"),
    "link: empty repository": (["link", "--hub", "https://hub.example.org", "--repo", " "],
                               "--repo"),
}


def snapshot(folder: Path) -> dict:
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}


def test_the_corpus_is_large_and_covers_every_command():
    commands = {argv[0] for argv, _ in CASES.values()}
    assert len(CASES) >= 40
    assert commands >= {"course", "app", "run", "check", "new-case", "export", "link"}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_exits_2_with_one_line(name, files, capsys, monkeypatch):
    argv, fragment = CASES[name]
    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail(f"would have started {a}"))
    lesson_before = Path(LESSON).read_bytes()
    before = snapshot(files)
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("itsim") and ": error: " in lines[0], err
    assert fragment in lines[0], err
    assert "Traceback" not in err
    after = snapshot(files)
    assert {k: after.get(k) for k in before} == before          # inputs untouched
    assert Path(LESSON).read_bytes() == lesson_before
    assert not (files / "o.csv").exists()       # refused before anything was written
