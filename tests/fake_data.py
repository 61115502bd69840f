"""Fake datasets for tests: IDX and CIFAR files written here, a file server on 127.0.0.1,
and an installed fake dataset (as if downloaded) in a data folder."""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import io
import pickle
import tarfile
import threading

import numpy as np

from cnnviz.core.data import catalog
from cnnviz.core.data.download import Source, download


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def fake_idx_files(n_train=50, n_test=20, seed=0) -> dict[str, bytes]:
    rng = np.random.default_rng(seed)
    files = {}
    for split, n in (("train", n_train), ("test", n_test)):
        images, labels = catalog.IDX_FILES[split]
        files[images] = idx_bytes(rng.integers(0, 256, (n, 28, 28)))
        files[labels] = idx_bytes(rng.integers(0, 10, n))
    return files


def fake_cifar_archive(n_per_batch=4, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in catalog.CIFAR_BATCHES["train"] + catalog.CIFAR_BATCHES["test"]:
            body = pickle.dumps(
                {
                    "data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                    "labels": rng.integers(0, 10, n_per_batch).tolist(),
                }
            )
            member = tarfile.TarInfo(f"{catalog.CIFAR_FOLDER}/{name}")
            member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
    return buffer.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@contextlib.contextmanager
def serve_folder(www):
    """A file server on 127.0.0.1 (a free port) serving ``www``; yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def publish(www, files: dict[str, bytes], base: str, extra_urls=()) -> list[Source]:
    for name, body in files.items():
        (www / name).write_bytes(body)
    return [
        Source(tuple(u + name for u in extra_urls) + (base + name,), name, md5(body), len(body))
        for name, body in files.items()
    ]


def install_fake(key: str, root, seed: int = 0, n_train: int = 200, n_test: int = 50):
    """Put a small fake ``key`` dataset into ``root`` through the real download path (the
    fetch copies bytes from memory instead of a network)."""
    if catalog.info(key).layout == "cifar":
        files = {
            "cifar-10-python.tar.gz": fake_cifar_archive(n_per_batch=max(1, n_test), seed=seed)
        }
    else:
        files = fake_idx_files(n_train, n_test, seed)

    def from_memory(url, dest, on_bytes, cancelled):
        body = files[url.split("/")[-1]]
        dest.write_bytes(body)
        on_bytes(len(body))

    sources = [
        Source((f"memory://{name}",), name, md5(body), len(body)) for name, body in files.items()
    ]
    return download(key, root, files=sources, fetch=from_memory)


def make_folder(root, classes, n=10, rgb=False, size=(40, 30)):
    """An ImageFolder layout: ``root/<class>/<i>.png``; odd classes are brighter."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for k, name in enumerate(classes):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(n):
            arr = (
                rng.random((size[1], size[0], 3) if rgb else (size[1], size[0])) * 60
                + 190 * (k % 2)
            ).astype(np.uint8)
            Image.fromarray(arr).save(folder / f"{i}.png")
    return root
