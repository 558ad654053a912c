"""Builds the optional C tree scorer; everything else is configured in pyproject.toml.

`optional=True`: where no C compiler is at hand the install still succeeds and cleaner
scores its trees with numpy instead (same results, slower).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("cleaner._treescore", ["cleaner/_treescore.c"], optional=True)])
