"""Signed checkpoints of the audit chain: Ed25519 over ``(seq, hash)`` of its head.

The hash chain alone proves only that the log is self-consistent: anyone who can write the
database can recompute every hash, cut the tail and rewrite the head, or empty the log. A
checkpoint signed with a key that is *not* in the database closes that gap: `verify` given a
checkpoint (and the public key it trusts) checks the signature and that the chain still passes
through the signed ``(seq, hash)``. Keep checkpoints outside the database (a ticket, a mail, a
write-once bucket) and take one regularly; changes after the newest checkpoint are covered by
the next one only.

The private key is a PEM file (``leonet audit keygen``) named by ``--key`` or
``$LEONET_AUDIT_SIGNING_KEY_FILE``; verifying needs only the public key (64 hex digits).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from leonet.errors import InputError

ENV_SIGNING_KEY_FILE = "LEONET_AUDIT_SIGNING_KEY_FILE"
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_HEX128 = re.compile(r"^[0-9a-fA-F]{128}$")
_DOMAIN = "leonet-audit-checkpoint-v1"
MAX_CHECKPOINT_BYTES = 4096


def check_hex64(value: str, field: str) -> str:
    """64 hex digits, either case, returned in lower case (how hashes are stored)."""
    if not isinstance(value, str) or not _HEX64.match(value):
        raise InputError(f"{value!r} is not 64 hex digits", field)
    return value.lower()


def generate(path: Path) -> str:
    """Write a new private key to ``path`` (PEM, mode 0600, never overwriting); returns the
    public key in hex."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError("already exists; refusing to overwrite a key", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot create: {exc.strerror}", str(path)) from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return public_hex(key.public_key())


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_private(path: str | None) -> Ed25519PrivateKey | None:
    """The signing key from ``path``, else ``$LEONET_AUDIT_SIGNING_KEY_FILE``, else None."""
    path = path or os.environ.get(ENV_SIGNING_KEY_FILE)
    if not path:
        return None
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise InputError(f"cannot read the signing key: {exc.strerror}", path) from None
    except (ValueError, TypeError):
        raise InputError("is not an unencrypted PEM private key", path) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("is not an Ed25519 key (make one with `leonet audit keygen`)", path)
    return key


def load_public(value: str) -> Ed25519PublicKey:
    """A public key given as 64 hex digits (either case)."""
    raw = bytes.fromhex(check_hex64(value, "public key"))
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class Checkpoint:
    """The head ``(seq, hash)`` at ``signed_at_utc``, signed by ``public_key``."""

    seq: int
    hash: str
    signed_at_utc: str
    public_key: str
    signature: str

    def payload(self) -> bytes:
        return f"{_DOMAIN}\n{self.seq}\n{self.hash}\n{self.signed_at_utc}".encode()

    def to_json(self) -> str:
        return orjson.dumps(self.__dict__, option=orjson.OPT_INDENT_2).decode()


def sign(key: Ed25519PrivateKey, seq: int, digest: str, signed_at_utc: str) -> Checkpoint:
    unsigned = Checkpoint(seq, digest, signed_at_utc, public_hex(key.public_key()), "")
    signature = key.sign(unsigned.payload()).hex()
    return Checkpoint(seq, digest, signed_at_utc, unsigned.public_key, signature)


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint file as `leonet audit head --key` wrote it (`InputError` when bad)."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where) from None
    if len(raw) > MAX_CHECKPOINT_BYTES:
        raise InputError(f"is larger than {MAX_CHECKPOINT_BYTES} bytes", where)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InputError("is not JSON", where) from None
    fields = ("seq", "hash", "signed_at_utc", "public_key", "signature")
    if not isinstance(data, dict) or set(data) != set(fields):
        raise InputError(f"expected exactly the fields {', '.join(fields)}", where)
    seq = data["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**63:
        raise InputError("must be a positive integer", f"{where}: seq")
    if not isinstance(data["signature"], str) or not _HEX128.match(data["signature"]):
        raise InputError("is not 128 hex digits", f"{where}: signature")
    if not isinstance(data["signed_at_utc"], str) or len(data["signed_at_utc"]) > 40:
        raise InputError("is not a time", f"{where}: signed_at_utc")
    return Checkpoint(seq, check_hex64(data["hash"], f"{where}: hash"), data["signed_at_utc"],
                      check_hex64(data["public_key"], f"{where}: public_key"),
                      data["signature"].lower())


def check_signature(checkpoint: Checkpoint, trusted: Ed25519PublicKey) -> str | None:
    """None when ``checkpoint`` was signed by ``trusted``, else what is wrong."""
    if checkpoint.public_key != public_hex(trusted):
        return (f"the checkpoint names public key {checkpoint.public_key[:16]}…, not the "
                f"trusted key {public_hex(trusted)[:16]}…")
    try:
        trusted.verify(bytes.fromhex(checkpoint.signature), checkpoint.payload())
    except InvalidSignature:
        return "the checkpoint's signature is not valid: it was forged or edited"
    return None
