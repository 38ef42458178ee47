#!/usr/bin/env bash
# Extracts every user-facing string and merges it into the Vietnamese and English catalogs.
# Translate the new entries in expertnet/translations/vi/LC_MESSAGES/messages.po afterwards;
# catalogs are compiled by the application at start-up, never committed as .mo files.
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=${BABEL:-.venv/bin/pybabel}
[ -x "$BABEL" ] || BABEL=pybabel
pot=$(mktemp --suffix=.pot)
"$BABEL" -q extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o "$pot" --no-location --sort-output \
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
echo "untranslated in vi: $(grep -c '^msgstr ""$' expertnet/translations/vi/LC_MESSAGES/messages.po || true) (approximate)"
