"""Desktop integration files: valid where the validators are installed, and consistent."""

import configparser
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "io.github.cnnviz.desktop"
METAINFO = ROOT / "packaging" / "io.github.cnnviz.metainfo.xml"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate is not installed")
def test_desktop_file_validates():
    out = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert out.returncode == 0 and "error" not in out.stdout.lower(), out.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli is not installed")
def test_metainfo_validates():
    out = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_desktop_file_runs_the_installed_command_and_the_icon_exists():
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(DESKTOP)
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entry["Desktop Entry"]["Exec"].split()[0] in scripts
    icon = entry["Desktop Entry"]["Icon"]
    assert (ROOT / "resources" / "icons" / f"{icon}.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256):
        assert (ROOT / "resources" / "icons" / f"{icon}-{size}.png").is_file()
