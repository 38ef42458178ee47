"""Member rosters: importing the member organisations' spreadsheets, exporting rosters and searches.

``reader`` turns a CSV or XLSX file into rows of text, ``columns`` maps the header and
validates each row, ``importer`` matches rows to people already known and writes the
result in bulk, ``export`` writes rosters and search results as CSV and XLSX; ``views``
are the pages for liaisons and staff.
"""
