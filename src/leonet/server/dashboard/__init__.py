"""The browser dashboard's Python side: the data a scenario shows on the globe (`view`), the
FastAPI application that serves it with the built front-end (`app`), and where the built
front-end lives (`assets`). It may import the physics, control, scenario and reporting wings
and the server's problem documents; nothing below the faces imports it.

The front-end's sources are in ``web/``; `make web` builds them into ``static/``.
"""
