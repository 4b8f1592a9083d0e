"""Dask execution (optional extra ``leonet[dask]``): a client from ``--workers``/``--scheduler``
(`client`), SGP4 records that travel to workers (`elements`) and physics sweeps split by time
whose window figures merge exactly (`coverage`). Imports `physics` and `errors` only; nothing
below the faces imports it except `regional`'s ``client=`` hand-off. Importing this package
does not import Dask: only `client.open_client` and the sweeps do.
"""
