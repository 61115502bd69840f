"""Desktop integration files: valid where the validators are installed, and consistent."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser from PyPI (the test extra installs it there)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "io.github.cnnviz.desktop"
METAINFO = ROOT / "packaging" / "io.github.cnnviz.metainfo.xml"


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-validate is not installed"
)
def test_desktop_file_validates():
    out = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert out.returncode == 0 and "error" not in out.stdout.lower(), out.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli is not installed")
def test_metainfo_validates():
    out = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
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


def test_pyinstaller_spec_names_an_entry_point_and_data_that_exist():
    """Run the spec with stand-ins for PyInstaller's build steps and check what it asks for."""
    import sys
    import types

    captured = {}

    def record(name):
        def step(*args, **kwargs):
            captured[name] = (args, kwargs)
            return types.SimpleNamespace(pure=[], scripts=[], binaries=[], datas=[])

        return step

    collected = []
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package: collected.append(package) or []
    hooks.collect_submodules = lambda package: [package]
    stand_ins = {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
    }
    spec = ROOT / "packaging" / "cnnviz.spec"
    saved = {k: sys.modules.get(k) for k in stand_ins}
    sys.modules.update(stand_ins)
    try:
        exec(
            compile(spec.read_text(), str(spec), "exec"),
            {
                "SPECPATH": str(spec.parent),
                **{n: record(n) for n in ("Analysis", "PYZ", "EXE", "COLLECT")},
            },
        )
    finally:
        for key, module in saved.items():
            if module is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = module
    (entry,), analysis = captured["Analysis"]
    assert Path(entry[0]) == ROOT / "cnnviz" / "__main__.py" and Path(entry[0]).is_file()
    assert collected == ["cnnviz"] and analysis["hiddenimports"] == ["cnnviz"]
    for source, _target in analysis["datas"]:
        assert Path(source).exists(), source
    assert captured["EXE"][1]["name"] == "cnnviz" and captured["COLLECT"][1]["name"] == "cnnviz"
    # what collect_data_files("cnnviz") picks up is what the package declares
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["cnnviz.resources"]
    for pattern in declared:
        assert list((ROOT / "cnnviz" / "resources").glob(pattern)), pattern


def test_metainfo_screenshots_are_the_projects_own():
    """Each screenshot URL points at a file of resources/screenshots (which the screenshot
    script makes), under the repository the homepage names."""
    import xml.etree.ElementTree as ET

    root = ET.parse(METAINFO).getroot()
    homepage = root.find("url[@type='homepage']").text
    owner_repo = homepage.removeprefix("https://github.com/")
    images = [e.text for e in root.iter("image")]
    assert len(images) >= 5
    assert sum(1 for s in root.iter("screenshot") if s.get("type") == "default") == 1
    for url in images:
        prefix = f"https://raw.githubusercontent.com/{owner_repo}/main/"
        assert url.startswith(prefix), url
        assert (ROOT / url.removeprefix(prefix)).is_file(), url
    # the app ID names the same place: io.github.<owner>
    assert root.find("id").text == f"io.github.{owner_repo.split('/')[0]}"
