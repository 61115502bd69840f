"""Starting on a Linux desktop without the X11 libraries Qt needs: one clear line, not an
abort."""

import subprocess
import sys
from pathlib import Path

from cnnviz.gui.platform_check import XCB_LIBRARIES, uses_xcb, xcb_problem

ROOT = Path(__file__).resolve().parents[2]


def loader(missing):
    def load(name):
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file")

    return load


def test_missing_libraries_are_named_with_the_install_commands():
    line = xcb_problem(
        {"DISPLAY": ":0"}, "linux", loader({"libxcb-cursor.so.0", "libxcb-keysyms.so.1"})
    )
    assert "\n" not in line
    assert "libxcb-cursor.so.0, libxcb-keysyms.so.1" in line
    assert "sudo apt install libxcb-cursor0 libxcb-keysyms1" in line
    assert "sudo dnf install xcb-util-cursor xcb-util-keysyms" in line


def test_nothing_to_say_when_all_are_there_or_xcb_is_not_used():
    assert xcb_problem({"DISPLAY": ":0"}, "linux", loader(set())) == ""
    everything = set(XCB_LIBRARIES)
    assert xcb_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", loader(everything)) == ""
    assert xcb_problem({}, "darwin", loader(everything)) == ""
    assert (
        xcb_problem(
            {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
            "linux",
            loader(everything),
        )
        == ""
    )
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb:display=:1"}, "linux")


def test_the_command_prints_the_line_and_exits_1_instead_of_aborting(tmp_path):
    """The real `cnnviz` entry point, with the X11 plugin chosen and a loader that finds
    nothing (LD_LIBRARY_PATH cannot hide system libraries, so the check is stubbed)."""
    code = (
        "import ctypes, sys\n"
        "def refuse(name, *a, **k):\n"
        "    raise OSError(name)\n"
        "ctypes.CDLL = refuse\n"
        "from cnnviz.cli import main\n"
        "sys.exit(main([]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr.strip().startswith("cnnviz cannot open its window")
    assert "sudo apt install libxcb-cursor0" in out.stderr
