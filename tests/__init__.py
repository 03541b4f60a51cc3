"""The suite, in folders that mirror the code: api/ (the wire), flows/ (the verbs and the foundations under
them), commands/ (the CLI in-process), e2e/ (the installed `nemo` against the emulator), robustness/ (kills,
faults, fuzzing, hostile input), emulator/, docs/ (drift, help), layers/ (the import rules). Shared helpers
are the package tests.support; fixtures every folder uses are in conftest.py."""
