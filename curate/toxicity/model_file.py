"""The shipped model's on-disk form: one zip of .npy arrays (readable by ``np.load``)
written with fixed timestamps so the same weights always give the same bytes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

MODEL_FILE = "toxicity.npz"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest date; a fixed stamp keeps the file byte-identical


def write_arrays(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        entries = {**arrays, "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)}
        for name in sorted(entries):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(entries[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def read_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files if name != "meta"}
        meta = json.loads(bytes(data["meta"]).decode())
    return arrays, meta
