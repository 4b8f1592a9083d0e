"""The control wing: who may connect — country boundaries and named regions
(`boundaries`, `regions`, `geojson`), policies and their decisions (`policy`), the registry
in SQL (`registry`), terminal telemetry (`telemetry`), unauthorized-use detection
(`detect`), synthetic terminals and their motion (`population`, `fleet`, `mobility`) and
geofence spillover (`spillover`). May import `leonet.physics`, `leonet.errors` and
`leonet.data`; never `regional`, `scenario`, `reporting`, `server`, `commands` or the CLI.
"""
