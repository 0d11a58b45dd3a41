#!/usr/bin/env bash
# Refresh the Chinese (zh_Hans) message catalogs from the code and templates, then compile them.
#
#   tools/i18n.sh [global|apps|all]      (default: all)
#
#   global  src/techtransfer/locale/zh_Hans/LC_MESSAGES/django.po: every string of the project EXCEPT the
#           migrations and the apps that carry their own catalog (any src/techtransfer/<app>/locale/ folder;
#           detected at run time, so a new app with its own catalog is left out automatically).
#   apps    src/techtransfer/<app>/locale/zh_Hans/LC_MESSAGES/django.po for every app with its own locale/,
#           refreshed from within the app folder (only that app's strings).
#   all     both, then compile.
#
# Every selected catalog is compiled (.mo) at the end. Translate new entries in the .po files (no fuzzy, none
# empty; tests/i18n checks it), then run this again so the .mo files are current.
# Needs GNU gettext (Debian: apt-get install gettext).
set -euo pipefail

MODE=${1:-all}
case "$MODE" in
  global | apps | all) ;;
  *)
    echo "usage: $0 [global|apps|all]" >&2
    exit 2
    ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/src/techtransfer"
if [ -z "${PY:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PY="$ROOT/.venv/bin/python"; else PY=python3; fi
fi
# A throw-away data folder: makemessages/compilemessages load the settings, which create the data folder.
TECHTRANSFER_DATA_DIR=${TECHTRANSFER_DATA_DIR:-$(mktemp -d)}
export TECHTRANSFER_DATA_DIR
export DJANGO_SETTINGS_MODULE=techtransfer.config.settings

django() { "$PY" -m django "$@"; }

# Apps (direct sub-folders of src/techtransfer) that carry their own catalog.
APPS=()
for dir in "$SRC"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  [ "$name" = locale ] && continue
  [ -d "$dir/locale" ] && APPS+=("$name")
done

MAKE_OPTS=(-l zh_Hans --no-obsolete --add-location file --ignore "migrations/*")

if [ "$MODE" = global ] || [ "$MODE" = all ]; then
  ignore=()
  # Note: Django matches "<app>/*" against every folder NAMED <app>, at any depth.
  for app in "${APPS[@]+"${APPS[@]}"}"; do ignore+=(--ignore "$app/*"); done
  echo "global catalog (excluding: ${APPS[*]:-none})"
  (cd "$SRC" && django makemessages "${MAKE_OPTS[@]}" "${ignore[@]+"${ignore[@]}"}")
  # --ignore "*": only the catalog in src/techtransfer/locale, not the apps' ones.
  (cd "$SRC" && django compilemessages -l zh_Hans --ignore "*")
fi

if [ "$MODE" = apps ] || [ "$MODE" = all ]; then
  for app in "${APPS[@]+"${APPS[@]}"}"; do
    echo "catalog of $app"
    # Without settings: with them, makemessages would also rewrite the global catalog in LOCALE_PATHS.
    (cd "$SRC/$app" && env -u DJANGO_SETTINGS_MODULE "$PY" -m django makemessages "${MAKE_OPTS[@]}")
    # Without settings, compilemessages only sees the app's own locale/ (not LOCALE_PATHS).
    (cd "$SRC/$app" && env -u DJANGO_SETTINGS_MODULE "$PY" -m django compilemessages -l zh_Hans)
  done
fi
