"""leonet: an open model of a LEO satellite internet service, from orbits to who may connect.

The physics wing (`leonet.physics`) says what the sky does; the control wing (`leonet.control`)
decides who may connect. `leonet.api` is the public facade.
"""

__version__ = "0.1.0"
