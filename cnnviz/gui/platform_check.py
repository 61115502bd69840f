"""Before Qt starts on Linux: are the X11 (xcb) libraries that Qt's "xcb" platform plugin
needs installed? Without them Qt aborts with a long message and exit status 134; cnnviz says
instead which packages to install. Imports no Qt."""

from __future__ import annotations

import ctypes
import os
import sys

# library file → (Debian/Ubuntu package, Fedora package)
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
}


def uses_xcb(environ=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt would start its "xcb" (X11) platform plugin here."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not (environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"))


def missing_xcb_libraries(load=ctypes.CDLL) -> list[str]:
    """The library files of :data:`XCB_LIBRARIES` that cannot be loaded."""
    missing = []
    for name in XCB_LIBRARIES:
        try:
            load(name)
        except OSError:
            missing.append(name)
    return missing


def xcb_problem(environ=os.environ, platform: str = sys.platform, load=ctypes.CDLL) -> str:
    """One line with the fix when Qt's X11 plugin would fail for want of libraries, else ""."""
    if not uses_xcb(environ, platform):
        return ""
    missing = missing_xcb_libraries(load)
    if not missing:
        return ""
    debian = " ".join(XCB_LIBRARIES[m][0] for m in missing)
    fedora = " ".join(XCB_LIBRARIES[m][1] for m in missing)
    return (
        f"cnnviz cannot open its window: Qt's X11 support needs {', '.join(missing)}. "
        f"Install them with `sudo apt install {debian}` (Debian, Ubuntu) or "
        f"`sudo dnf install {fedora}` (Fedora), then start cnnviz again."
    )
