"""Every count shown in Vietnamese has the Vietnamese thousands separator (3.000).

Templates print counts through Babel (``|numberformat`` or the app's ``|number``); the
checks below read every template, so a count added later without it fails here, and
render one in Vietnamese.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NGETTEXT = re.compile(r"ngettext\((['\"])[^'\"]*%\(num\)s.*?\)\s*\}\}", re.S)
NUM_CELL = re.compile(r'class="(?:num|count|badge)">\{\{ ([^}]+?) \}\}')
#: Helpers that format their number themselves.
FORMATTED = ("_(", "days(", "percent(", "chart.head", "numberformat", "decimalformat", "|number")


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path.relative_to(TEMPLATES), path.read_text(encoding="utf-8")


def test_every_plural_count_in_a_template_goes_through_numberformat():
    bare = [
        f"{name}: {m.group(0)[:90]}"
        for name, text in _templates()
        for m in NGETTEXT.finditer(text)
        if "numberformat" not in m.group(0) and "|number" not in m.group(0)
    ]
    assert not bare, bare


def test_every_number_cell_goes_through_numberformat():
    bare = [
        f"{name}: {expr}"
        for name, text in _templates()
        if not str(name).startswith("contest/")  # scores with decimals, formatted there
        for expr in NUM_CELL.findall(text)
        if not any(f in expr for f in FORMATTED)
    ]
    assert not bare, bare


def test_counts_read_with_the_vietnamese_separator(app):
    with app.test_request_context(), force_locale("vi"):
        template = app.jinja_env.from_string(
            '{{ ngettext("%(num)s opinion", "%(num)s opinions", n, num=n|numberformat) }}'
            " · {{ m|numberformat }}"
        )
        assert template.render(n=3000, m=0.49) == "3.000 văn bản tư vấn, phản biện · 0,49"
