"""Flat stage facades that import their names on first use.

A stage package's ``__init__.py`` lists its public names once, as the imports of an
``if TYPE_CHECKING:`` block: type checkers and editors read them as plain imports, and
:func:`lazy_facade` turns the same block into the package's ``__all__`` and a module ``__getattr__``
(PEP 562) that imports a name's module only when the name is first used. So ``from parcours.value import
estimate_customer_value`` costs pymc's import where it is called, not where the Dagster code location
loads, and the assets can import every stage through its facade alone.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any


def lazy_facade(package: str) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for ``package``, from its ``TYPE_CHECKING`` imports.

    Parameters
    ----------
    package
        The package's ``__name__``; its ``__init__.py`` holds an ``if TYPE_CHECKING:`` block of
        ``from <module> import <name> [as <alias>]`` lines.

    Returns
    -------
    tuple
        The sorted public names, the module ``__getattr__`` that imports one on first use (and keeps it in
        the package's namespace), and the module ``__dir__``.

    Examples
    --------
    >>> names, getattr_, _ = lazy_facade("parcours.value")
    >>> "estimate_customer_value" in names and getattr_("rfm_summary").__name__
    'rfm_summary'
    """
    where = _type_checking_imports(Path(sys.modules[package].__file__ or ""))

    def __getattr__(name: str) -> Any:  # noqa: N807 -- the module hook's own name
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, original = where[name]
        value = getattr(import_module(module), original)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(where)

    return sorted(where), __getattr__, __dir__


def _type_checking_imports(init: Path) -> dict[str, tuple[str, str]]:
    """``{public name: (module, name in it)}`` from the ``if TYPE_CHECKING:`` block of ``init``."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    found |= {alias.asname or alias.name: (statement.module, alias.name) for alias in statement.names}
    return found
