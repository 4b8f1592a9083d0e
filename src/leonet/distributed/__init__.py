"""Dask execution (optional extra ``leonet[dask]``): a client from ``--workers``/``--scheduler``
(`client`), SGP4 records that travel to workers (`elements`), physics sweeps split by time
(`windows`) whose window figures merge exactly (`coverage`, `capacity`) or join in time order
(`routes`), and rows split into shards by a stable hash of a key (`shards`). Imports `physics`
and `errors` only; below the faces, only the ``client=`` hand-offs import it (`regional`,
`control.detect`, `scenario`, `reporting`'s ephemeris and paths writers). Importing this
package does not import Dask: only `client.open_client` and the runs on a cluster do.
"""
