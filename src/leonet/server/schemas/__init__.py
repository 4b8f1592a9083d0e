"""Request and response models (separate classes: what a client sends is never what the
server stores or returns)."""
