"""Domain exceptions of the sector classifier.

They carry a message meant for the person running the tool, so the CLI can
print them as-is (no traceback) and exit non-zero.
"""


class SectorError(Exception):
    """Base class for errors the user can act on."""


class ModelFileError(SectorError):
    """A model file is missing, corrupt, tampered with or from another version."""


class InputDataError(SectorError):
    """An input table cannot be read or lacks the expected columns."""


class SeedDataError(SectorError):
    """The shipped seed data (KBLI table, labelled set) is missing or inconsistent."""
