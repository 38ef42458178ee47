#!/usr/bin/env bash
# Extracts every user-facing string and merges it into the Vietnamese and English catalogs.
# Translate the new entries in expertnet/translations/vi/LC_MESSAGES/messages.po afterwards;
# catalogs are compiled by the application at start-up, never committed as .mo files.
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=${BABEL:-.venv/bin/pybabel}
[ -x "$BABEL" ] || BABEL=pybabel
pot=$(mktemp --suffix=.pot)
"$BABEL" -q extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k NC_:1c,2 -k pgettext:1c,2 \
  -k npgettext:1c,2,3 -k lazy_pgettext:1c,2 -o "$pot" --no-location --sort-output \
  --project expertnet --copyright-holder "expertnet" . >/dev/null
for lang in vi en; do
  po=expertnet/translations/$lang/LC_MESSAGES/messages.po
  if [ -f "$po" ]; then
    "$BABEL" -q update -i "$pot" -d expertnet/translations -l "$lang" --no-fuzzy-matching --ignore-obsolete >/dev/null
  else
    "$BABEL" -q init -i "$pot" -d expertnet/translations -l "$lang" >/dev/null
  fi
done
rm -f "$pot"
PY=${PYTHON_BIN:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" - <<'CHECK'
from babel.messages.pofile import read_po

with open("expertnet/translations/vi/LC_MESSAGES/messages.po", "rb") as fh:
    catalog = read_po(fh)
todo = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
print(f"{len(catalog)} messages; untranslated in vi: {len(todo)}")
for msgid in todo[:20]:
    print("  ", msgid)
CHECK
