"""Preferences kept between sessions (QSettings, INI format in the user's config folder).

Every value is read with a type and a default: a missing, corrupt or foreign value falls
back to the default instead of breaking the start."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def open_settings() -> QSettings:
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "cnnviz", "cnnviz")


def read(settings: QSettings, key: str, default, kind=None, low=None, high=None):
    """``settings[key]`` as ``kind`` (the default's type), within [low, high], else default."""
    kind = kind or type(default)
    raw = settings.value(key, default)
    try:
        if kind is bool:
            value = raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1")
            if not isinstance(raw, bool) and str(raw).strip().lower() not in (
                "true",
                "false",
                "1",
                "0",
            ):
                return default
        else:
            value = kind(raw)
    except (TypeError, ValueError):
        return default
    if (low is not None and value < low) or (high is not None and value > high):
        return default
    return value


def use_private_settings() -> str:
    """Point settings at a fresh temporary folder (screenshots, benchmarks): the user's own
    preferences are neither read nor changed."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="cnnviz-settings-")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, folder)
    return folder
