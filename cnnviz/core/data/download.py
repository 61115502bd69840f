"""Fetching a dataset of the catalogue into a data folder.

Where each comes from (mirrors, file names, MD5 sums) is taken from ``torchvision.datasets``;
the files are fetched on demand into a data folder the caller chooses (the app uses its
QStandardPaths data folder) and read by :mod:`cnnviz.core.data.loading`.

A download works in a hidden ``.partial`` folder next to the target and is renamed into place
only when every file has arrived whole (MD5 checked, archives unpacked): a cancelled, failed or
interrupted download leaves nothing half-written behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .catalog import MANIFEST, dataset_folder, info, is_downloaded, split_files


class DownloadError(RuntimeError):
    """A download that failed; the message says why and what still works."""


class DownloadCancelled(RuntimeError):
    """The user cancelled; nothing was kept."""


@dataclass(frozen=True)
class Source:
    """One file to fetch: the URLs to try in turn, its name and MD5, its size if known."""

    urls: tuple[str, ...]
    filename: str
    md5: str
    size: int | None = None


def sources(key: str) -> list[Source]:
    """The files of ``key`` as ``torchvision.datasets`` names them (mirrors in its order)."""
    import torchvision.datasets as tvd

    data = info(key)
    if data.bundled:
        return []
    cls = getattr(tvd, data.torchvision_name)
    if data.layout == "cifar":
        return [Source((cls.url,), cls.filename, cls.tgz_md5, data.download_bytes)]
    return [Source(tuple(m + name for m in cls.mirrors), name, md5) for name, md5 in cls.resources]


Progress = Callable[[int, "int | None", str], None]  # bytes so far, total if known, file name


def fetch_url(
    url: str,
    dest: Path,
    on_bytes: Callable[[int], None],
    cancelled: Callable[[], bool],
    timeout: float = 30.0,
) -> None:
    """Stream ``url`` into ``dest``, reporting each chunk and stopping when ``cancelled()``."""
    request = urllib.request.Request(url, headers={"User-Agent": "cnnviz"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        while True:
            if cancelled():
                raise DownloadCancelled("cancelled")
            chunk = response.read(1 << 16)
            if not chunk:
                break
            out.write(chunk)
            on_bytes(len(chunk))


def explain_failure(exc: BaseException, url: str) -> str:
    """Why a fetch failed, in words a lecturer can act on."""
    host = urlparse(url).hostname or url
    if isinstance(exc, urllib.error.HTTPError):
        return f"{host} answered {exc.code} {exc.reason} for {Path(urlparse(url).path).name}"
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return f"cannot find {host}: this computer seems to be offline"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{host} did not answer in time"
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection"
    return f"cannot download from {host}: {reason}"


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    key: str,
    root,
    *,
    files: list[Source] | None = None,
    fetch=None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Fetch dataset ``key`` into ``root/key`` and return that folder.

    ``files`` replaces torchvision's list (tests point it at a local server); ``fetch`` is
    :func:`fetch_url` unless given (same signature: url, dest, on_bytes, cancelled). Raises
    :class:`DownloadCancelled` or
    :class:`DownloadError` (offline, HTTP error, damaged file) and then leaves nothing behind.
    """
    data = info(key)
    if is_downloaded(key, root):
        return dataset_folder(key, root)
    files = sources(key) if files is None else files
    fetch = fetch or fetch_url
    cancelled = cancelled or (lambda: False)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{key}-", suffix=".partial", dir=root))
    sizes = [s.size for s in files if s.size]
    total = sum(sizes) if len(sizes) == len(files) else None
    done = 0
    try:
        for source in files:

            def on_bytes(n: int, name=source.filename) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, total, name)

            before, failures = done, []
            for url in source.urls:
                done = before
                try:
                    fetch(url, partial / source.filename, on_bytes, cancelled)
                    break
                except DownloadCancelled:
                    raise
                except (OSError, urllib.error.URLError, ValueError) as exc:
                    failures.append(explain_failure(exc, url))
            else:
                raise DownloadError(
                    f"{data.title} could not be downloaded: {failures[-1]}. "
                    "Nothing was saved; the bundled MNIST still works."
                )
            if cancelled():
                raise DownloadCancelled("cancelled")
            if _md5(partial / source.filename) != source.md5:
                raise DownloadError(
                    f"{source.filename} arrived damaged (its checksum does not "
                    f"match); nothing was saved, try again."
                )
        if data.layout == "cifar":
            _unpack(partial, [s.filename for s in files])
        _check_complete(key, partial)
        (partial / MANIFEST).write_text(
            json.dumps(
                {
                    "dataset": key,
                    "torchvision": data.torchvision_name,
                    "files": {s.filename: s.md5 for s in files},
                },
                indent=1,
            )
        )
        final = dataset_folder(key, root)
        if final.exists():  # an incomplete leftover without a manifest
            shutil.rmtree(final)
        os.replace(partial, final)
        return final
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _unpack(folder: Path, archives: list[str]) -> None:
    for name in archives:
        with tarfile.open(folder / name, "r:gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                for member in tar.getmembers():
                    if member.name.startswith(("/", "..")) or ".." in Path(member.name).parts:
                        raise DownloadError(f"{name} contains an unsafe path {member.name!r}")
                tar.extractall(folder)
        (folder / name).unlink()


def _check_complete(key: str, folder: Path) -> None:
    for split in ("train", "test"):
        for path in split_files(key, folder, split):
            if not path.is_file():
                raise DownloadError(
                    f"the download of {info(key).title} lacks {path.name}; nothing was saved"
                )
