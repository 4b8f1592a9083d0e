"""Request and response models of the REST API, in separate classes: what a client sends is
never what the server stores or returns. May import pydantic and `leonet.control` (for the
names and kinds it validates); nothing else of leonet.
"""
