"""Named areas shipped as GeoJSON (`disputed.geojson`: disputed and occupied territories),
read by `leonet.control.regions` through `importlib.resources`. Holds no code and imports
nothing.
"""
