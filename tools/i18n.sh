#!/usr/bin/env bash
# Refresh the Chinese (zh_Hans) message catalog from the code and templates, then compile it.
# Needs GNU gettext (Debian: apt-get install gettext). Translate new entries in
# src/techtransfer/locale/zh_Hans/LC_MESSAGES/django.po, then run this again to compile.
set -euo pipefail
cd "$(dirname "$0")/../src/techtransfer"
export TECHTRANSFER_DATA_DIR=${TECHTRANSFER_DATA_DIR:-$(mktemp -d)}
PY=${PY:-python3}
DJANGO_SETTINGS_MODULE=techtransfer.config.settings "$PY" -m django makemessages -l zh_Hans --no-obsolete \
  --ignore "migrations/*" --add-location file
DJANGO_SETTINGS_MODULE=techtransfer.config.settings "$PY" -m django compilemessages -l zh_Hans
