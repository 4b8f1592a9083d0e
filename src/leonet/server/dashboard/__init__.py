"""The browser dashboard's Python side: the data a scenario shows on the globe (`view`), the
FastAPI application that serves it with the built front-end (`app`), and where the built
front-end lives (`assets`). The front-end's sources are in ``web/``; `make web` builds them.

It imports the physics, control and scenario wings and the server's problem documents; nothing
below the faces imports it.
"""
