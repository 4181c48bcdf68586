"""Reference data shipped with Jejak (see README.md in this directory).

A package only so that the files install with the wheel and are found with
``importlib.resources.files("seeds")``; it has no code.
"""
