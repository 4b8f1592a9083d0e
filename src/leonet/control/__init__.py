"""The control wing: who may connect — regions, policies, decisions (never imports server/cli)."""
