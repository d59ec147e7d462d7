"""``dev.py``'s installation of the Debian packages the tests need, against a fake ``apt-get`` on PATH.

Nothing is installed: the fake records its calls and "installs" a package by creating the
file the table names for it, under a temporary directory.
"""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import ROOT

FAKE = """#!/bin/sh
# a fake apt-get: $FAKE_DIR/calls gets one line per call; a held lock for the first $FAKE_LOCKED calls
echo "$*" >> "$FAKE_DIR/calls"
n=$(wc -l < "$FAKE_DIR/calls")
if [ "$n" -le "${FAKE_LOCKED:-0}" ]; then
    echo "Reading package lists..."
    echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2
    echo "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?" >&2
    exit 100
fi
if [ -n "$FAKE_BROKEN" ]; then
    echo "E: Unable to locate package $FAKE_BROKEN" >&2
    exit 100
fi
case " $* " in
    *" install "*)
        for word in "$@"; do
            case "$word" in -*|install|DPkg::*) ;; *) touch "$FAKE_DIR/installed-$word" ;; esac
        done ;;
esac
exit 0
"""


@pytest.fixture
def dev(monkeypatch):
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "may_use_apt", lambda: True)  # as root, whoever runs the test
    return module


@pytest.fixture
def fake_apt(tmp_path, monkeypatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "apt-get"
    script.write_text(FAKE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DIR", str(tmp_path))
    return tmp_path


def table(where: Path) -> list[tuple[str, str, str]]:
    return [
        ("fake-browser", str(where / "installed-fake-browser"), "the browser tests"),
        ("fake-fonts", str(where / "installed-fake-fonts"), "the PDF tests"),
    ]


def calls(where: Path) -> list[str]:
    return (where / "calls").read_text().splitlines()


def test_a_held_lock_is_waited_for_with_a_message_then_the_packages_install(dev, fake_apt, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_LOCKED", "3")  # the first three calls (all `update`) find the lock held
    dev.ensure_packages(table(fake_apt), in_ci=True, wait=30, pause=0.01)
    out, err = capsys.readouterr()
    assert all(Path(path).exists() for _, path, _ in table(fake_apt))
    made = calls(fake_apt)
    assert len(made) == 5 and made[0].endswith("update -qq") and made[-1].endswith("fake-browser fake-fonts")
    assert all(call.startswith("-o DPkg::Lock::Timeout=") for call in made)  # apt-get waits for dpkg itself too
    assert err.count("another process holds the package lock") == 3 and "s left before giving up" in err
    assert "Could not get lock" in out  # apt-get's own words are shown as they come
    assert "SKIPPED" not in err


def test_nothing_is_run_when_nothing_is_missing(dev, fake_apt, capsys):
    for _, path, _ in table(fake_apt):
        Path(path).touch()
    dev.ensure_packages(table(fake_apt), in_ci=True, wait=30, pause=0.01)
    assert not (fake_apt / "calls").exists()
    assert capsys.readouterr() == ("", "")


def test_a_lock_held_past_the_timeout_fails_loudly_under_ci(dev, fake_apt, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_LOCKED", "1000")
    with pytest.raises(SystemExit) as stop:
        dev.ensure_packages(table(fake_apt), in_ci=True, wait=0.3, pause=0.05)
    message = str(stop.value.code)
    assert stop.value.code not in (0, None)
    assert message.startswith("CI=true: cannot install what the tests need (apt-get install failed")
    assert "fake-browser" in message and "the browser tests" in message and "nothing was run" in message
    assert "still held after the time allowed" in capsys.readouterr().err


def test_an_install_that_fails_stops_ci_and_names_what_is_skipped_elsewhere(dev, fake_apt, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_BROKEN", "fake-browser")
    with pytest.raises(SystemExit) as stop:
        dev.ensure_packages(table(fake_apt), in_ci=True, wait=30, pause=0.01)
    assert "fake-browser" in str(stop.value.code) and "sudo apt-get install fake-browser fake-fonts" in str(
        stop.value.code
    )
    assert len(calls(fake_apt)) == 2  # a failure that is not a lock is not retried
    capsys.readouterr()

    dev.ensure_packages(table(fake_apt), in_ci=False, wait=30, pause=0.01)  # without CI: a notice, no exit
    err = capsys.readouterr().err
    assert "these tests will be SKIPPED" in err
    assert "fake-browser (" in err and "the browser tests" in err and "fake-fonts (" in err and "the PDF tests" in err
    assert "CI=true makes this an error" in err


def test_without_root_nothing_is_tried_and_the_skips_are_named(dev, fake_apt, monkeypatch, capsys):
    monkeypatch.setattr(dev, "may_use_apt", lambda: False)
    dev.ensure_packages(table(fake_apt), in_ci=False)
    err = capsys.readouterr().err
    assert "not running as root" in err and "the browser tests" in err and "SKIPPED" in err
    assert not (fake_apt / "calls").exists()
    with pytest.raises(SystemExit):
        dev.ensure_packages(table(fake_apt), in_ci=True)


def test_the_table_names_a_path_and_the_tests_for_every_package(dev):
    assert {"chromium", "fonts-noto-cjk", "poppler-utils"} <= {pkg for pkg, _, _ in dev.APT_PACKAGES}
    for pkg, path, needed_by in dev.APT_PACKAGES:
        assert pkg and Path(path).is_absolute() and needed_by, pkg
