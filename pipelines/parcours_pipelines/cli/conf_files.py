"""The ``conf/*.yaml`` files, written from the settings models, and the settings in effect, printed.

The defaults and their explanations live once, in the models of :mod:`parcours.settings` (each field's
``description``, each section's docstring). A section file is generated from them: every default is
written commented out, so the file documents the section and holds only what a user overrides.
``parcours config init`` rewrites a folder's files and keeps its overrides; ``parcours config show``
prints the settings in effect, with the ``auto`` values resolved from a log when one is given.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from parcours.ingest import PROFILED
from parcours.settings import Settings, load_settings, read_section

WIDTH = 100


def render_section(name: str, overrides: dict[str, Any] | None = None) -> str:
    """The text of ``conf/<name>.yaml``: the section's documentation, its defaults commented out, ``overrides`` set.

    Parameters
    ----------
    name
        A section of :class:`parcours.settings.Settings` (``ingest``, ``value``, ...).
    overrides
        The keys the file sets, as read from it (validated by :func:`write_conf` before).

    Examples
    --------
    >>> print(render_section("demo", {"customers": 500}).split("\\n\\n")[1])
    # Number of customers generated.
    customers: 500
    """
    model = Settings.model_fields[name].annotation
    overrides = overrides or {}
    defaults = model().model_dump()
    blocks = [_header(name, model)]
    for key, field in model.model_fields.items():
        lines = _comment(field.description or "")
        value = overrides[key] if key in overrides else defaults[key]
        entry = _entry(key, value)
        lines += entry if key in overrides else ["# " + line for line in entry]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def write_conf(conf_dir: str | Path) -> list[Path]:
    """(Re)write every ``<section>.yaml`` of ``conf_dir`` from the models, keeping the keys each file sets.

    Raises
    ------
    ConfigError
        If a file is not a YAML mapping or its settings are invalid (nothing is written then).
    """
    conf_dir = Path(conf_dir)
    conf_dir.mkdir(parents=True, exist_ok=True)
    load_settings(conf_dir)  # refuse to rewrite a folder whose settings are invalid
    written = []
    for name in Settings.model_fields:
        path = conf_dir / f"{name}.yaml"
        path.write_text(render_section(name, read_section(path)))
        written.append(path)
    return written


def show_settings(settings: Settings, resolutions: list[dict[str, Any]] | None = None) -> str:
    """The settings in effect as YAML, each ``auto`` value resolved by ``resolutions`` marked with its reason.

    A setting still ``auto`` (no log given) is marked as resolved from the log when a run reads it.
    """
    reasons = {r["setting"]: r["reason"] for r in resolutions or []}
    values = settings.model_dump()
    lines: list[str] = []
    for name in Settings.model_fields:
        lines.append(f"{name}:")
        for key, value in values[name].items():
            dotted = f"{name}.{key}"
            text = _flow(value)
            note = (f"  # auto: {reasons[dotted]}" if dotted in reasons
                    else "  # auto: resolved from the log's profile when a run reads it (--events LOG shows how)"
                    if value == "auto" and dotted in PROFILED else "")
            lines.append(f"  {key}: {text}{note}")
    return "\n".join(lines) + "\n"


def _header(name: str, model: type[BaseModel]) -> str:
    doc = re.sub(r":\w+:`([^`]+)`", r"`\1`", inspect.cleandoc(model.__doc__ or ""))
    doc = doc.replace("::", ":").replace("``", "`")
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", doc):
        rows = paragraph.splitlines()
        verbatim = any(row.startswith(" ") for row in rows)  # a drawing, kept as it is
        lines += [*(["#"] if lines else []), *(["# " + row for row in rows] if verbatim else _comment(" ".join(rows)))]
    lines += ["#", *_comment(
        f"Generated from parcours.settings.{model.__name__} by `parcours config init`: each default is shown "
        f"commented out. Uncomment a key to override it, or override it for one run: --set {name}.<key>=<value>. "
        "`parcours config show` prints the settings in effect.")]
    return "\n".join(lines)


def _comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, WIDTH - 2, break_on_hyphens=False, break_long_words=False)]


def _entry(key: str, value: Any) -> list[str]:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [f"{key}:", *(f"  - {_flow(item)}" for item in value)]
    if isinstance(value, dict) and value:
        return [f"{key}:", *(f"  {k}: {_flow(v)}" for k, v in value.items())]
    return [f"{key}: {_flow(value)}"]


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


__all__ = ["render_section", "show_settings", "write_conf"]
