# Sourced by scripts/run and scripts/test: a project virtualenv in .venv, refreshed when pyproject.toml changes.
extra="${1:-}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Stagebot needs Python 3.11 or newer (found $("$python" --version 2>&1))." >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed${extra:+-$extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extra:+[$extra]}"
  touch "$stamp"
fi
