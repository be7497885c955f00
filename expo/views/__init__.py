"""Views of the expo app: the JSON API (`api/`) and the server-rendered pages (`pages/`), each
split by area like the models (STYLE.md, section 1). `common` holds what both share.
"""
