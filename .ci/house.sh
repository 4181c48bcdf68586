#!/usr/bin/env bash
# CI (house, issue 14 item 3): an installed Jejak runs without its source tree.
# Builds the wheel, installs it in a fresh virtualenv, then — from a directory outside the
# checkout, so every import comes from the wheel — migrates a SQLite database, seeds demo
# data and classifies business descriptions with the installed `analysis` package.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$repo"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$work"/dist/jejak-*.whl

cd "$work"
export PATH="$work/venv/bin:$PATH" JEJAK_CONFIG=production FLASK_APP=survey_app
export JEJAK_SECRET_KEY="ci-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
export JEJAK_LINK_KEY="$JEJAK_SECRET_KEY-link" JEJAK_PSEUDONYM_KEY="$JEJAK_SECRET_KEY-pseudonym"
export JEJAK_DATABASE_URL="sqlite:///$work/jejak.sqlite" JEJAK_INSTANCE_PATH="$work/instance"
export JEJAK_BASE_URL="http://localhost:5000" JEJAK_MODEL_CACHE="$work/model-cache"

python - "$repo" <<'PY'
import sys
from pathlib import Path
import analysis, migrations, seeds, survey_app
repo = Path(sys.argv[1]).resolve()
for module in (analysis, migrations, seeds, survey_app):
    where = Path(module.__file__).resolve()
    assert repo not in where.parents, f"{module.__name__} imported from the source tree: {where}"
print("installed packages:", Path(analysis.__file__).parent.parent)
PY
flask db upgrade
flask demo seed --alumni 50
printf 'id,description\n1,jualan kopi dan gorengan di depan rumah\n2,jasa desain grafis dan undangan\n3,"=HYPERLINK(""http://x"")"\n' > answers.csv
python -m analysis classify --input answers.csv --text-column description --output coded.csv
python - <<'PY'
import csv
rows = list(csv.DictReader(open("coded.csv", encoding="utf-8")))
assert len(rows) == 3 and all(r["division"] for r in rows), rows
assert rows[2]["description"].startswith("'="), "formula not neutralised"
print("classified:", [(r["description"][:30], r["division"]) for r in rows])
PY
echo "house: installed wheel migrates, seeds and classifies"
