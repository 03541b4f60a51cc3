"""Shell completion: the command tree as plain data (model), the bash/zsh/fish scripts made from it
(scripts), where each shell loads them (install), and the values that live in the store (stored).

A runtime part of nemo: `nemo completion` and the `nemo __complete` helper use it; the docs generator
(nemo_cli.docgen) builds on it, never the other way round. Importing the package loads nothing.
"""
