"""Where reviewtool's shipped files and user data live.

``resources/`` and ``db/`` are top-level folders in the repository; setup.cfg
maps them to ``reviewtool.resources`` and ``reviewtool.migrations`` so the same
lookups work from a checkout, an editable install and a wheel.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "reviewtool"
APP_AUTHOR = "HaidongKJJ"


def _package_dir(package: str, fallback: str) -> Path:
    try:
        found = resources.files(package)
        path = Path(str(found))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    # Running from a checkout without installing: the folders sit beside the package.
    return Path(__file__).resolve().parent.parent / fallback


def resources_dir() -> Path:
    """The shipped data files: plan taxonomies, rubrics, demo data, catalogs, templates."""
    return _package_dir("reviewtool.resources", "resources")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def migrations_dir() -> Path:
    """The Alembic script directory (``db/`` in the repository)."""
    return _package_dir("reviewtool.migrations", "db")


def user_data_dir() -> Path:
    """Per-user data directory (platformdirs); created on first use."""
    path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return user_data_dir() / "reviewtool.sqlite3"


def demo_database_path() -> Path:
    return user_data_dir() / "demo.sqlite3"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path().as_posix()}"


def demo_database_url() -> str:
    return f"sqlite:///{demo_database_path().as_posix()}"
