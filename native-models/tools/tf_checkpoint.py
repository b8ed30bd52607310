"""Read a TensorFlow V2 checkpoint (tensor bundle: .index + .data-*) with numpy only.

Why: the musicnn PyPI wheel ships TF1 checkpoints. Installing TensorFlow just to read ~30
float32 tensors is a 500 MB dependency; the bundle format is small and documented
(a LevelDB-style table of BundleEntryProto records pointing into the data file), so we
parse it directly and verify each tensor's CRC32C.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_TABLE_MAGIC = 0xDB4775248B80FB57
_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64}


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _block_entries(data: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    block = data[offset:offset + size]
    if data[offset + size] != 0:
        raise ValueError("compressed table blocks are not supported")
    num_restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * num_restarts
    entries: list[tuple[bytes, bytes]] = []
    pos = 0
    key = b""
    while pos < end:
        shared, pos = _varint(block, pos)
        non_shared, pos = _varint(block, pos)
        value_len, pos = _varint(block, pos)
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        entries.append((key, block[pos:pos + value_len]))
        pos += value_len
    return entries


def _fields(msg: bytes) -> list[tuple[int, int | bytes]]:
    """Decode one protobuf message into (field number, value) pairs (varint, fixed32, bytes)."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(msg):
        tag, pos = _varint(msg, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(msg, pos)
            out.append((field, value))
        elif wire == 2:
            length, pos = _varint(msg, pos)
            out.append((field, msg[pos:pos + length]))
            pos += length
        elif wire == 5:
            out.append((field, struct.unpack_from("<I", msg, pos)[0]))
            pos += 4
        elif wire == 1:
            out.append((field, struct.unpack_from("<Q", msg, pos)[0]))
            pos += 8
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def _crc32c(data: bytes) -> int:
    table = _crc32c.table  # type: ignore[attr-defined]
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _make_crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_crc32c.table = _make_crc_table()  # type: ignore[attr-defined]


def _masked_crc(data: bytes) -> int:
    crc = _crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def read_checkpoint(prefix: str, verify_crc: bool = True) -> dict[str, np.ndarray]:
    """Return every tensor of the checkpoint `prefix` (path without .index; musicnn's is "<dir>/") by name."""
    index = Path(prefix + ".index").read_bytes()
    footer = index[-48:]
    if struct.unpack_from("<Q", footer, 40)[0] != _TABLE_MAGIC:
        raise ValueError("not a TensorFlow tensor bundle index")
    pos = 0
    _, pos = _varint(footer, pos)  # metaindex offset
    _, pos = _varint(footer, pos)  # metaindex size
    idx_off, pos = _varint(footer, pos)
    idx_size, pos = _varint(footer, pos)
    shards: dict[int, bytes] = {}
    tensors: dict[str, np.ndarray] = {}
    for _, handle in _block_entries(index, idx_off, idx_size):
        off, p = _varint(handle, 0)
        size, _ = _varint(handle, p)
        for key, value in _block_entries(index, off, size):
            if key == b"":
                continue  # BundleHeaderProto: shard count, endianness, version
            entry = dict()
            dims: list[int] = []
            for field, v in _fields(value):
                if field == 2 and isinstance(v, bytes):
                    for f2, dim in _fields(v):
                        if f2 == 2 and isinstance(dim, bytes):
                            dims.append(next((int(x) for f3, x in _fields(dim) if f3 == 1), 0))
                else:
                    entry[field] = v
            dtype = _DTYPES.get(int(entry.get(1, 0)))
            if dtype is None:
                continue  # e.g. strings; musicnn has none we need
            shard = int(entry.get(3, 0))
            if shard not in shards:
                shards[shard] = Path(f"{prefix}.data-{shard:05d}-of-00001").read_bytes()
            start, nbytes = int(entry.get(4, 0)), int(entry.get(5, 0))
            raw = shards[shard][start:start + nbytes]
            if verify_crc and 6 in entry and _masked_crc(raw) != entry[6]:
                raise ValueError(f"CRC mismatch for {key.decode()}")
            tensors[key.decode()] = np.frombuffer(raw, dtype=dtype).reshape(dims).copy()
    return tensors
