"""Metadata lives in setup.cfg. This file only adds the packages that live
outside ``reviewtool/`` (``db/``, ``resources/`` and ``docs/``, mapped in setup.cfg's
``package_dir``), which ``find:`` cannot see."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["reviewtool", "reviewtool.*"]),
        "reviewtool.migrations",
        "reviewtool.migrations.versions",
        "reviewtool.resources",
        "reviewtool.docs",
    ]
)
