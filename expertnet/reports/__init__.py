"""The union's yearly activity report: figures, charts, page, API and export."""
