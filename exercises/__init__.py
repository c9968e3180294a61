"""The course's exercises, one folder each (see README.md beside this file).

Installed as the package ``bpkit_exercises``, so ``check(fn)`` finds each exercise's public
cases and hints in any install of bpkit. Only ``cases.py`` and ``hints.py`` of each folder are
shipped; instructor notebooks and ``hidden.py`` stay in the repository.
"""
