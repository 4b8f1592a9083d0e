"""Refuse Arrow IPC streams and Parquet files that would be large once read, before reading.

A compressed body can declare far more than it weighs: 28 KB of zstd-compressed Arrow held
20 million rows, and the server allocated ~550 MB to find out. Both formats say up front what
reading them will cost, so the totals are checked first:

* Arrow IPC stream: each record batch's message metadata (a flatbuffer, ``Message.fbs``)
  holds its row count and buffer layout; a compressed buffer starts with its decompressed
  length as an int64 (``BodyCompression`` in ``Message.fbs``; -1 when stored raw). Arrow
  allocates exactly those lengths, so summing them bounds the memory a read takes.
* Parquet: the footer holds each row group's rows and each column chunk's uncompressed size.

Either over ``max_rows`` (413), or over ``max_bytes`` decompressed (413), or decompressing
more than `MAX_RATIO` times its compressed size (413: the mark of a bomb, not of data) is
refused without decompressing anything. Lies are caught too: Arrow refuses a buffer whose
decompressed length differs from the one declared.
"""

from __future__ import annotations

import io
import struct

import pyarrow as pa
import pyarrow.parquet as pq

from leonet.server.problems import Problem, invalid

# Real columns of positions and times compress a few times with zstd; 200x is the mark of
# repeated filler (the 20-million-row bomb of issue 17 compresses ~20,000x).
MAX_RATIO = 200
# Below this many decompressed bytes the ratio does not matter (a small constant batch).
RATIO_FLOOR_BYTES = 8 * 1024 * 1024
_RECORD_BATCH, _DICTIONARY_BATCH = 3, 2  # MessageHeader union tags in Message.fbs


def _u32(buf: memoryview, pos: int) -> int:
    return struct.unpack_from("<I", buf, pos)[0]


def _field(buf: memoryview, table: int, index: int) -> int | None:
    """Where field ``index`` of the flatbuffer table at ``table`` is stored, or None."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    vtable_size = struct.unpack_from("<H", buf, vtable)[0]
    slot = 4 + 2 * index
    if slot + 2 > vtable_size:
        return None
    offset = struct.unpack_from("<H", buf, vtable + slot)[0]
    return table + offset if offset else None


def _batch_cost(metadata: memoryview, body: memoryview) -> tuple[int, int]:
    """(table rows, decompressed bytes) a record or dictionary batch message declares."""
    message = _u32(metadata, 0)
    kind_at, header_at = _field(metadata, message, 1), _field(metadata, message, 2)
    if kind_at is None or header_at is None:
        raise ValueError("a message without a header")
    kind = metadata[kind_at]
    header = header_at + _u32(metadata, header_at)
    table_rows = kind == _RECORD_BATCH  # a dictionary's entries are not rows of the table
    if kind == _DICTIONARY_BATCH:  # DictionaryBatch { id, data: RecordBatch, isDelta }
        data_at = _field(metadata, header, 1)
        if data_at is None:
            raise ValueError("a dictionary batch without data")
        header = data_at + _u32(metadata, data_at)
    elif kind != _RECORD_BATCH:
        return 0, 0
    length_at = _field(metadata, header, 0)
    rows = 0 if length_at is None else struct.unpack_from("<q", metadata, length_at)[0]
    buffers_at = _field(metadata, header, 2)
    compressed = _field(metadata, header, 3) is not None
    total = 0
    if buffers_at is not None:
        vector = buffers_at + _u32(metadata, buffers_at)
        for k in range(_u32(metadata, vector)):
            offset, length = struct.unpack_from("<qq", metadata, vector + 4 + 16 * k)
            if offset < 0 or length < 0 or offset + length > len(body):
                raise ValueError("a buffer outside the message body")
            if compressed and length >= 8:
                declared = struct.unpack_from("<q", body, offset)[0]
                total += length if declared == -1 else declared
            else:
                total += length
    if rows < 0 or total < 0:
        raise ValueError("a negative length")
    return (rows if table_rows else 0), total


def check_arrow_stream(body: bytes, *, max_rows: int, max_bytes: int) -> None:
    """Refuse (413, or 400 when unreadable) an Arrow IPC stream declaring more than
    ``max_rows`` rows or ``max_bytes`` decompressed bytes, before it is read."""
    rows = size = 0
    try:
        reader = pa.ipc.MessageReader.open_stream(pa.BufferReader(body))
        while True:
            try:
                message = reader.read_next_message()
            except StopIteration:
                break
            if message.type not in ("record batch", "dictionary"):
                continue
            n, nbytes = _batch_cost(memoryview(message.metadata), memoryview(message.body))
            rows, size = rows + n, size + nbytes
            _check(rows, size, len(body), max_rows, max_bytes)
    except (pa.ArrowException, OSError, ValueError, struct.error, IndexError) as exc:
        raise Problem(400, f"the body is not an Arrow IPC stream: {exc}") from None


def check_parquet(body: bytes, *, max_rows: int, max_bytes: int) -> None:
    """As `check_arrow_stream`, from a Parquet file's footer."""
    try:
        meta = pq.ParquetFile(io.BytesIO(body)).metadata
        size = sum(meta.row_group(g).column(c).total_uncompressed_size
                   for g in range(meta.num_row_groups) for c in range(meta.num_columns))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise invalid("/", f"the body is not a Parquet file: {exc}") from None
    _check(meta.num_rows, size, len(body), max_rows, max_bytes)


def _check(rows: int, size: int, compressed: int, max_rows: int, max_bytes: int) -> None:
    if rows > max_rows:
        raise Problem(413, f"the body declares {rows:,} rows; the limit is {max_rows:,} per "
                           "request (nothing was decompressed)")
    if size > max_bytes:
        raise Problem(413, f"the body declares {size:,} bytes once decompressed; the limit is "
                           f"{max_bytes:,}")
    if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * compressed:
        raise Problem(413, f"the body would decompress {size / compressed:,.0f} times (from "
                           f"{compressed:,} to {size:,} bytes); the limit is {MAX_RATIO}x")
