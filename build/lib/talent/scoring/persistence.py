"""Saving and loading MatchModel: joblib file + JSON sidecar, authenticated before unpickling.

Unpickling runs code, so a model file is loaded only when the HMAC-SHA256 of its bytes, keyed by
the platform's secret, matches the one in the sidecar. The sidecar also records the library
versions, the hash of the shipped knowledge and of the indexed jobs, and evaluation metrics.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import platform
from pathlib import Path
from typing import Any

FORMAT = "talent-match-model/1"


class ModelFileRejected(ValueError):
    """The model file or its sidecar is missing, altered, or was not written with this key."""


def sidecar_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".json")


def _versions() -> dict[str, str]:
    import joblib
    import numpy
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
    }


def _key_bytes(key: str | bytes) -> bytes:
    key_bytes = key.encode() if isinstance(key, str) else bytes(key)
    if not key_bytes:
        raise ValueError("a non-empty key is required to sign or verify a model file")
    return key_bytes


def save_model(model: Any, path: str | Path, key: str | bytes, metrics: dict[str, Any] | None = None) -> Path:
    """Write `model` to `path` (joblib) and `path`.json (versions, data hash, metrics, HMAC)."""
    from talent.scoring.model import check_is_fitted

    check_is_fitted(model)
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    payload = buffer.getvalue()
    data_hash = hashlib.sha256()
    data_hash.update(model.job_matrix_.tobytes())
    data_hash.update("\n".join(model.job_ids_).encode())
    sidecar = {
        "format": FORMAT,
        "model": type(model).__name__,
        "params": {name: repr(value) for name, value in model.get_params().items()},
        "versions": _versions(),
        "knowledge": model.knowledge_fingerprint_,
        "data_sha256": data_hash.hexdigest(),
        "n_jobs": len(model.job_ids_),
        "metrics": metrics or {},
        "file_sha256": hashlib.sha256(payload).hexdigest(),
        "hmac_sha256": hmac.new(_key_bytes(key), payload, hashlib.sha256).hexdigest(),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    sidecar_path(path).write_text(json.dumps(sidecar, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_sidecar(path: str | Path) -> dict[str, Any]:
    try:
        return json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileRejected(f"no readable sidecar for {path}: {error}") from error


def load_model(path: str | Path, key: str | bytes) -> Any:
    """Load a model written by `save_model` with the same key; refuse anything else unread."""
    sidecar = read_sidecar(path)
    if sidecar.get("format") != FORMAT:
        raise ModelFileRejected(f"{path}: not a talent model sidecar")
    try:
        payload = Path(path).read_bytes()
    except OSError as error:
        raise ModelFileRejected(f"cannot read {path}: {error}") from error
    expected = hmac.new(_key_bytes(key), payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(sidecar.get("hmac_sha256", ""))):
        raise ModelFileRejected(f"{path}: signature does not match; the file was altered or not written by this platform")
    import joblib

    model = joblib.load(io.BytesIO(payload))
    from talent.scoring.knowledge import knowledge

    if getattr(model, "knowledge_fingerprint_", None) != knowledge().fingerprint:
        raise ModelFileRejected(f"{path}: built with other shipped knowledge data; refit the model")
    return model
