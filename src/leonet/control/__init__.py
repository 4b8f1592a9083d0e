"""The control wing: who may connect (regions, policies, decisions, the registry).

Never imports `leonet.server` or `leonet.cli`.
"""
