"""Listing of the raw Stooq tree.

DuckDB's ``glob()`` silently skips entries it cannot stat (a broken symbolic link named like a
data file never shows up), so the file listing is taken here with ``os.scandir`` and every
``*.txt`` entry becomes a row, loadable or not. Parsing stays in SQL: DuckDB reads the content
of the loadable files itself (``models/bronze/bronze_parsed_lines.sql``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

LISTING_SCHEMA = pa.schema(
    [
        ("relative_path", pa.string()),
        ("absolute_path", pa.string()),
        ("size_bytes", pa.int64()),
        ("modified_at", pa.timestamp("us", tz="UTC")),
        ("modified_ns", pa.int64()),
        ("is_symlink", pa.bool_()),
        ("is_loadable", pa.bool_()),
        ("scan_error", pa.string()),
    ]
)


def _walk(root: Path):
    """Yield every directory entry below ``root`` (depth first, symlinked folders not followed)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                yield entry


def scan_raw_root(raw_root: str | os.PathLike[str]) -> pa.Table:
    """List every ``*.txt`` entry (suffix case-insensitive) below ``raw_root``.

    Returns one row per entry with its path relative to ``raw_root`` (POSIX separators), the
    absolute path DuckDB should read, size in bytes, modification time (UTC, and in ns for the
    fingerprint), whether it is a symbolic link, whether it is a readable regular file
    (``is_loadable``) and, when it is not, the reason (``scan_error``). Rows are sorted by
    ``relative_path``. A missing ``raw_root`` gives an empty table, not an error.
    """
    root = Path(raw_root).resolve()
    rows: list[dict[str, object]] = []
    if root.is_dir():
        for entry in _walk(root):
            if not entry.name.lower().endswith(".txt"):
                continue
            path = Path(entry.path)
            row: dict[str, object] = {
                "relative_path": path.relative_to(root).as_posix(),
                "absolute_path": path.as_posix(),
                "size_bytes": None,
                "modified_at": None,
                "modified_ns": None,
                "is_symlink": entry.is_symlink(),
                "is_loadable": False,
                "scan_error": None,
            }
            try:
                stat = entry.stat(follow_symlinks=True)
            except OSError as exc:
                kind = "broken symbolic link" if entry.is_symlink() else "cannot stat file"
                row["scan_error"] = f"{kind}: {exc.strerror or exc}"
                rows.append(row)
                continue
            row["size_bytes"] = stat.st_size
            row["modified_ns"] = stat.st_mtime_ns
            row["modified_at"] = stat.st_mtime_ns // 1000
            if not entry.is_file(follow_symlinks=True):
                row["scan_error"] = "not a regular file"
            elif not os.access(path, os.R_OK):
                row["scan_error"] = "file is not readable"
            else:
                row["is_loadable"] = True
            rows.append(row)
    rows.sort(key=lambda r: str(r["relative_path"]))
    return pa.Table.from_pylist(rows, schema=LISTING_SCHEMA)
