"""Issue 14 hygiene: one lookup of a wave by what a person typed (waves.service.select_wave).

`admin.blueprint.wave_or_404` and `jobs.kinds._wave` look waves up by id (a 404 / a failed
job); every lookup by name goes through `find_wave`/`select_wave`, so a wave is found the
same way by the CLI, the jobs, the exports, the invitations and the demo.
"""
from __future__ import annotations

import re
from pathlib import Path

import survey_app

PACKAGE = Path(survey_app.__file__).parent
BY_NAME = re.compile(r"Wave\.name\s*==|_waves\.c\.name\s*==|FROM waves WHERE name|filter_by\(name=")


def test_no_other_copy_of_a_wave_lookup_by_name():
    offenders = [f"{path.relative_to(PACKAGE)}:{number}"
                 for path in sorted(PACKAGE.rglob("*.py")) if path.relative_to(PACKAGE).as_posix() != "waves/service.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if BY_NAME.search(line)]
    assert offenders == []
