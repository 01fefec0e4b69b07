#!/usr/bin/env bash
# Install Causeway into a virtual environment from the lock file, every file checked against
# its sha256: the one install step of the Docker image and of a systemd host.
#
#   deploy/install.sh [VENV]        default VENV: /opt/causeway/venv
#   PYTHON=python3.12 deploy/install.sh /srv/causeway/venv
#
# It creates VENV if needed (with $PYTHON, default python3; 3.11 or newer), installs exactly
# requirements/runtime.txt (binary wheels only: no package's setup code runs), then Causeway
# itself from this checkout, built without fetching anything (its build backend is in the
# lock), and ends with `pip check`. Running it again upgrades VENV in place to this checkout.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-/opt/causeway/venv}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "install.sh: $python is not Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input)

"${pip[@]}" install --quiet --require-hashes --only-binary :all: \
  -r "$here/requirements/runtime.txt"

# Built from a copy, so that installing never writes build/ or *.egg-info into the checkout
# (a read-only mount in a container build, a working tree elsewhere).
source_copy="$(mktemp -d)"
trap 'rm -rf "$source_copy"' EXIT
cp -R "$here/pyproject.toml" "$here/README.md" "$here/src" "$source_copy/"
"${pip[@]}" install --quiet --no-deps --no-build-isolation "$source_copy"

"${pip[@]}" check
version="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("causeway"))')"
echo "installed causeway $version into $venv: $venv/bin/causeway"
