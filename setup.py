"""Builds the optional C helpers (tree scorer, block scanner, HTML walk, line splitter, decoding's word counts and repeated blocks, context rows, the network's layers); everything else is configured in pyproject.toml.

`optional=True`: where no C compiler is at hand the install still succeeds and cleaner does
the same work in Python and numpy instead (same results, slower; tests check each pair agrees).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("cleaner._speedups._treescore", ["cleaner/_speedups/_treescore.c"], optional=True),
        Extension("cleaner._speedups._blockscan", ["cleaner/_speedups/_blockscan.c"], optional=True),
        Extension("cleaner._speedups._htmlwalk", ["cleaner/_speedups/_htmlwalk.c"], optional=True),
        Extension("cleaner._speedups._textlines", ["cleaner/_speedups/_textlines.c"], optional=True),
        Extension("cleaner._speedups._decodetext", ["cleaner/_speedups/_decodetext.c"], optional=True),
        Extension("cleaner._speedups._context", ["cleaner/_speedups/_context.c"], optional=True),
        Extension("cleaner._speedups._sequence", ["cleaner/_speedups/_sequence.c"], optional=True),
    ]
)
