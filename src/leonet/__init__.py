"""leonet: an open model of a LEO satellite internet service, from orbits to who may connect.
The physics wing (`leonet.physics`) says what the sky does and the control wing
(`leonet.control`) decides who may connect; `regional` puts physics results on regions,
`scenario` replays timelines over both wings, `reporting` turns results into files people
read, and the server (`server`) and the CLI (`cli`, `commands`) are the faces, with
`leonet.api` the public facade. This file imports nothing of leonet; who may import whom is
checked by tests/test_architecture.py.
"""

__version__ = "0.1.0"
