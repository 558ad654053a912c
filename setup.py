"""Builds the optional C helpers (tree scorer, block scanner, HTML walk, line splitter, decoding's word counts and repeated blocks, context rows, the network's layers); everything else is configured in pyproject.toml.

`optional=True`: where no C compiler is at hand the install still succeeds and cleaner does
the same work in Python and numpy instead (same results, slower; tests check each pair agrees).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("cleaner._treescore", ["cleaner/_treescore.c"], optional=True),
        Extension("cleaner._blockscan", ["cleaner/_blockscan.c"], optional=True),
        Extension("cleaner._htmlwalk", ["cleaner/_htmlwalk.c"], optional=True),
        Extension("cleaner._textlines", ["cleaner/_textlines.c"], optional=True),
        Extension("cleaner._decodetext", ["cleaner/_decodetext.c"], optional=True),
        Extension("cleaner._context", ["cleaner/_context.c"], optional=True),
        Extension("cleaner._sequence", ["cleaner/_sequence.c"], optional=True),
    ]
)
