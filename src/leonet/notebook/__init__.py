"""How leonet's results show themselves in a notebook: `display` renders a result object as a
small, escaped HTML table for Jupyter's ``_repr_html_`` and hands its columns over as an Arrow
table or a pandas DataFrame. It imports nothing of leonet, so that the
physics and control wings and everything above them can use it."""
