#!/usr/bin/python3
"""Independent decoder for the SealDrop test vectors.

Written from the specs in docs/ (envelope.md, keys.md, directory.md, codename.md) alone, not
from the C++ code, so that a disagreement points at a spec or a vector. Run with Debian's
Python (PyNaCl 1.5):

    /usr/bin/python3 tests/vectors/independent_decoder.py tests/vectors

Prints one line per check and ends with "N passed, M failed"; exits 0 only if M == 0.
"""

import base64
import hashlib
import hmac
import json
import os
import sys

import nacl.bindings as nb
import nacl.exceptions
import nacl.pwhash.argon2id as argon2id

# --------------------------------------------------------------------------------------------
# Shared primitives (envelope.md §2, keys.md §2-3).


def kdf(key, subkey_id, ctx):
    """crypto_kdf_derive_from_key with a 32-byte output."""
    assert len(key) == 32 and len(ctx) == 8
    return hashlib.blake2b(b"", digest_size=32, key=key,
                           salt=subkey_id.to_bytes(8, "little") + bytes(8),
                           person=ctx + bytes(8)).digest()


def hmac256(key, msg):
    """crypto_auth_hmacsha512256: HMAC-SHA-512 truncated to 32 bytes."""
    return hmac.new(key, msg, hashlib.sha512).digest()[:32]


def blake2b256(data):
    return hashlib.blake2b(data, digest_size=32).digest()


ROLE_TAGS = {1: "dec", 2: "xfer", 3: "root", 4: "src"}
TAG_ROLES = {v: k for k, v in ROLE_TAGS.items()}


class KeyTextError(Exception):
    pass


def b64url_decode_strict(text):
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    if not text or any(c not in alphabet for c in text) or len(text) % 4 == 1:
        return None
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        return None  # non-canonical (non-zero unused bits)
    return raw


def b64_std_decode_strict(text):
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, base64.binascii.Error):
        return None
    if base64.b64encode(raw).decode() != text:
        return None
    return raw


def key_checksum(tag, key):
    return blake2b256(b"SealDrop public key v1\x00" + tag.encode() + b"\x00" + key)[:4]


def encode_public_key(tag, key):
    raw = key + key_checksum(tag, key)
    return "sealdrop-" + tag + "-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_public_key(text, expected_tag=None):
    """keys.md §2. Returns (tag, 32-byte key) or raises KeyTextError."""
    text = text.strip(" \t\r\n")
    if not text.startswith("sealdrop-"):
        raise KeyTextError("missing prefix")
    rest = text[len("sealdrop-"):]
    dash = rest.find("-")
    if dash < 0:
        raise KeyTextError("missing tag")
    tag = rest[:dash]
    if tag not in TAG_ROLES:
        raise KeyTextError("unknown tag")
    if expected_tag is not None and tag != expected_tag:
        raise KeyTextError("wrong kind of key")
    raw = b64url_decode_strict(rest[dash + 1:])
    if raw is None or len(raw) != 36:
        raise KeyTextError("bad encoding")
    key = raw[:32]
    if not hmac.compare_digest(key_checksum(tag, key), raw[32:]):
        raise KeyTextError("checksum mismatch")
    return tag, key


def fingerprint(tag, key):
    h = blake2b256(b"SealDrop fingerprint v1\x00" + tag.encode() + b"\x00" + key)[:10].hex()
    return "-".join(h[i:i + 4] for i in range(0, 20, 4))


def strict_json(data, skip_bom=False):
    """RFC 8259 JSON from UTF-8 bytes, or None. No NaN/Infinity, no unpaired surrogates.
    `skip_bom`: skip one leading UTF-8 byte order mark (envelope.md §7)."""
    def no_constants(name):
        raise ValueError(name)
    if skip_bom and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError):
        return None

    def strings_ok(v):
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return False
            return True
        if isinstance(v, list):
            return all(strings_ok(x) for x in v)
        if isinstance(v, dict):
            return all(strings_ok(k) and strings_ok(x) for k, x in v.items())
        return True
    return value if strings_ok(value) else None


# --------------------------------------------------------------------------------------------
# Envelope (envelope.md).

MAGIC = b"SEALDROP"
CHUNK = 65536
SEALED_CHUNK = CHUNK + 17
FLOOR = 2 * CHUNK
TAG_MESSAGE = 0
TAG_FINAL = 3
MAX_META = 1 << 20
MAX_PART = 4096
MAX_DATA = CHUNK


def padme(length):
    if length < 2:
        return length
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def padded_stream_bytes(length):
    p = max(padme(length), FLOOR)
    return (p + CHUNK - 1) // CHUNK * CHUNK


def sealed_size(padded, recipients):
    return 10 + 80 * recipients + 32 + 24 + padded // CHUNK * SEALED_CHUNK


class EnvelopeError(Exception):
    def __init__(self, code, why):
        super().__init__(f"{code}: {why}")
        self.code = code


class _Payload:
    """Decrypts chunks on demand (envelope.md §10, step 6)."""

    def __init__(self, data, offset, payload_key, stream_header):
        self.data, self.pos = data, offset
        self.state = nb.crypto_secretstream_xchacha20poly1305_state()
        nb.crypto_secretstream_xchacha20poly1305_init_pull(self.state, stream_header, payload_key)
        self.chunk, self.cpos = b"", 0
        self.final_seen = False
        self.total = 0  # plaintext bytes decrypted so far

    def load_chunk(self):
        if self.final_seen:
            raise EnvelopeError("malformed", "content runs past the FINAL chunk")
        sealed = self.data[self.pos:self.pos + SEALED_CHUNK]
        if len(sealed) != SEALED_CHUNK:
            raise EnvelopeError("truncated", "stream is truncated")
        self.pos += SEALED_CHUNK
        try:
            plain, tag = nb.crypto_secretstream_xchacha20poly1305_pull(self.state, sealed, None)
        except nacl.exceptions.CryptoError:
            raise EnvelopeError("payload-corrupt", "chunk failed authentication") from None
        if tag == TAG_FINAL:
            self.final_seen = True
        elif tag != TAG_MESSAGE:
            raise EnvelopeError("malformed", "unexpected chunk tag")
        self.chunk, self.cpos = plain, 0
        self.total += len(plain)

    def read(self, n):
        out = bytearray()
        while len(out) < n:
            if self.cpos == len(self.chunk):
                self.load_chunk()
            take = min(n - len(out), len(self.chunk) - self.cpos)
            out += self.chunk[self.cpos:self.cpos + take]
            self.cpos += take
        return bytes(out)

    def offset(self):
        return self.total - (len(self.chunk) - self.cpos)


def open_envelope(data, keypairs):
    """Returns (metadata_bytes, [(name, type, content)]) or raises EnvelopeError."""
    g = min(len(data), 10)
    m = min(g, 8)
    if g == 0 or data[:m] != MAGIC[:m]:
        raise EnvelopeError("bad-magic", "not an envelope")
    if g < 10:
        if g >= 9 and data[8] != 1:
            raise EnvelopeError("unsupported-version", "version")
        raise EnvelopeError("truncated", "preamble")
    if data[8] != 1:
        raise EnvelopeError("unsupported-version", "version")
    n = data[9]
    if n == 0 or n > 16:
        raise EnvelopeError("malformed", "recipient count")
    header_len = 66 + 80 * n
    if len(data) < header_len:
        raise EnvelopeError("truncated", "header")

    file_key = None
    for s in range(n):
        stanza = data[10 + 80 * s:10 + 80 * (s + 1)]
        for pk, sk in keypairs:
            try:
                file_key = nb.crypto_box_seal_open(stanza, pk, sk)
                break
            except nacl.exceptions.CryptoError:
                continue
        if file_key is not None:
            break
    if file_key is None:
        raise EnvelopeError("no-matching-key", "no stanza opens")

    mac_at = 10 + 80 * n
    mac_key = kdf(file_key, 1, b"SDenvhdr")
    if not hmac.compare_digest(hmac256(mac_key, data[:mac_at]), data[mac_at:mac_at + 32]):
        raise EnvelopeError("header-mac-mismatch", "header MAC")
    payload_key = kdf(file_key, 2, b"SDenvpay")
    stream = _Payload(data, header_len, payload_key, data[mac_at + 32:header_len])

    metadata, parts = None, []
    seen_meta = in_part = False
    while True:
        hdr = stream.read(5)
        rtype, length = hdr[0], int.from_bytes(hdr[1:5], "little")
        if rtype < 1 or rtype > 4:
            raise EnvelopeError("malformed", "unknown record type")
        if rtype == 1:
            if seen_meta:
                raise EnvelopeError("malformed", "second META")
            if length > MAX_META:
                raise EnvelopeError("malformed", "META too long")
            seen_meta = True
        elif rtype == 2:
            if length > MAX_PART:
                raise EnvelopeError("malformed", "PART too long")
        elif rtype == 3:
            if not in_part:
                raise EnvelopeError("malformed", "DATA outside a part")
            if length == 0 or length > MAX_DATA:
                raise EnvelopeError("malformed", "bad DATA length")
        elif rtype == 4 and length != 0:
            raise EnvelopeError("malformed", "END with a body")
        if not seen_meta:
            raise EnvelopeError("malformed", "first record is not META")
        body = stream.read(length)
        if rtype == 1:
            if not isinstance(strict_json(body, skip_bom=True), dict):
                raise EnvelopeError("malformed", "META is not a JSON object")
            metadata = body
        elif rtype == 2:
            obj = strict_json(body, skip_bom=True)
            if (not isinstance(obj, dict) or set(obj) != {"name", "type"}
                    or not isinstance(obj["name"], str) or not isinstance(obj["type"], str)):
                raise EnvelopeError("malformed", "bad PART header")
            parts.append([obj["name"], obj["type"], bytearray()])
            in_part = True
        elif rtype == 3:
            parts[-1][2] += body
        else:
            break

    logical = stream.offset()
    while True:
        if any(stream.chunk[stream.cpos:]):
            raise EnvelopeError("malformed", "non-zero padding")
        stream.cpos = len(stream.chunk)
        if stream.final_seen:
            break
        stream.load_chunk()
    if stream.total != padded_stream_bytes(logical):
        raise EnvelopeError("malformed", "padding is not the canonical length")
    if stream.pos != len(data):
        raise EnvelopeError("trailing-data", "bytes after the FINAL chunk")
    return metadata, [(p[0], p[1], bytes(p[2])) for p in parts], logical, n


# --------------------------------------------------------------------------------------------
# Checks.

results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    line = ("PASS " if ok else "FAIL ") + name
    if detail and not ok:
        line += ": " + detail
    print(line, flush=True)


def check_envelopes(root):
    folder = os.path.join(root, "envelope")
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(folder, "recipient.key"), encoding="ascii") as f:
        sk = bytes.fromhex(f.read().strip())
    keypairs = [(nb.crypto_scalarmult_base(sk), sk)]
    check("envelope: manifest has at least 20 vectors", len(manifest) >= 20)
    for v in manifest:
        name = "envelope " + v["file"] + " -> " + v["expect"]
        with open(os.path.join(folder, v["file"]), "rb") as f:
            data = f.read()
        try:
            meta, parts, logical, n = open_envelope(data, keypairs)
            outcome = "ok"
        except EnvelopeError as e:
            outcome, why = e.code, str(e)
        if outcome != v["expect"]:
            check(name, False, "got " + (why if outcome != "ok" else "ok"))
            continue
        if outcome != "ok":
            check(name, True)
            continue
        problems = []
        if meta.decode("utf-8") != v["metadata"]:
            problems.append("metadata differs")
        if len(parts) != len(v["parts"]):
            problems.append(f"{len(parts)} parts, want {len(v['parts'])}")
        for got, want in zip(parts, v["parts"]):
            pname, ptype, content = got
            if pname != want["name"]:
                problems.append(f"name {pname!r} != {want['name']!r}")
            if ptype != want["type"]:
                problems.append(f"type {ptype!r} != {want['type']!r}")
            if len(content) != want["size"]:
                problems.append(f"size {len(content)} != {want['size']}")
            if hashlib.sha256(content).hexdigest() != want["sha256"]:
                problems.append(f"sha256 of {pname!r} differs")
        if len(data) != sealed_size(padded_stream_bytes(logical), n):
            problems.append("file size differs from SealedSize(PaddedStreamBytes(L), n)")
        check(name, not problems, "; ".join(problems))


def read_secret_key_file(data, passphrase):
    """keys.md §5. Returns (role, public key) or raises ValueError(error name)."""
    if len(data) < 8 or data[:8] != b"SDSECKEY":
        raise ValueError("bad-magic")
    if len(data) < 9 or data[8] != 1:
        raise ValueError("unsupported-version")
    if len(data) != 108:
        raise ValueError("malformed")
    role = data[9]
    if role not in (1, 2, 3) or data[10:12] != b"\x00\x00":
        raise ValueError("malformed")
    ops = int.from_bytes(data[12:16], "little")
    mem_kib = int.from_bytes(data[16:20], "little")
    if not (3 <= ops <= 64 and 262144 <= mem_kib <= 1 << 20):
        raise ValueError("malformed")
    file_key = argon2id.kdf(32, passphrase, data[20:36], opslimit=ops, memlimit=mem_kib * 1024)
    try:
        secret = nb.crypto_aead_xchacha20poly1305_ietf_decrypt(data[60:108], data[:60],
                                                               data[36:60], file_key)
    except nacl.exceptions.CryptoError:
        raise ValueError("wrong-passphrase") from None
    if role in (2, 3):
        public, _ = nb.crypto_sign_seed_keypair(secret)
    else:
        public = nb.crypto_scalarmult_base(secret)
    return role, public


def check_keys(root):
    folder = os.path.join(root, "keys")
    with open(os.path.join(folder, "passphrase.txt"), "rb") as f:
        passphrase = f.read().split(b"\n", 1)[0]
        if passphrase.endswith(b"\r"):
            passphrase = passphrase[:-1]
    fingerprints = {"MET": "9199-329f-9a0b-02de-a64d", "MET-transfer": "e249-8bd3-b9fe-f243-e966"}
    for stem, tag in (("MET", "dec"), ("MET-transfer", "xfer")):
        with open(os.path.join(folder, stem + ".public"), encoding="utf-8") as f:
            text = f.read()
        try:
            ptag, pub = parse_public_key(text, tag)
            check(f"keys: {stem}.public parses as '{tag}' with a good checksum", True)
        except KeyTextError as e:
            check(f"keys: {stem}.public parses as '{tag}' with a good checksum", False, str(e))
            continue
        check(f"keys: {stem}.public is canonical text plus one newline",
              text == encode_public_key(tag, pub) + "\n")
        check(f"keys: {stem}.public fingerprint", fingerprint(ptag, pub) == fingerprints[stem])
        with open(os.path.join(folder, stem + ".secret"), "rb") as f:
            data = f.read()
        try:
            role, derived = read_secret_key_file(data, passphrase)
            check(f"keys: {stem}.secret decrypts to the key in {stem}.public",
                  role == TAG_ROLES[tag] and derived == pub,
                  f"role {role}, public {derived.hex()}")
        except ValueError as e:
            check(f"keys: {stem}.secret decrypts to the key in {stem}.public", False, str(e))
    with open(os.path.join(folder, "MET.secret"), "rb") as f:
        data = f.read()
    try:
        read_secret_key_file(data, passphrase + b"!")
        check("keys: a wrong passphrase fails", False, "it decrypted")
    except ValueError as e:
        check("keys: a wrong passphrase fails with wrong-passphrase", str(e) == "wrong-passphrase",
              str(e))
    damaged = bytearray(data)
    damaged[12] ^= 1  # opslimit 3 -> 2: below the minimum
    try:
        read_secret_key_file(bytes(damaged), passphrase)
        check("keys: a weakened KDF is refused", False, "accepted")
    except ValueError as e:
        check("keys: a weakened KDF is refused as malformed", str(e) == "malformed", str(e))

    # Public key text strictness.
    with open(os.path.join(folder, "MET.public"), encoding="utf-8") as f:
        good = f.read().strip()
    bad_texts = {
        "one character changed (checksum)": good[:-5] + ("A" if good[-5] != "A" else "B") + good[-4:],
        "wrong role tag": good.replace("sealdrop-dec-", "sealdrop-src-", 1),
        "padding added": good + "=",
        "character missing": good[:-1],
        "upper-case prefix": "SEALDROP-" + good[len("sealdrop-"):],
    }
    for what, text in bad_texts.items():
        try:
            parse_public_key(text)
            check(f"keys: public key text rejected: {what}", False, "accepted")
        except KeyTextError:
            check(f"keys: public key text rejected: {what}", True)
    try:
        parse_public_key(good, "xfer")
        check("keys: a 'dec' key is refused where 'xfer' is expected", False, "accepted")
    except KeyTextError:
        check("keys: a 'dec' key is refused where 'xfer' is expected", True)


# --------------------------------------------------------------------------------------------
# Directory (directory.md).


class DirectoryError(Exception):
    def __init__(self, code, why):
        super().__init__(f"{code}: {why}")
        self.code = code


def is_day(d):
    if not isinstance(d, str) or len(d) != 10 or d[4] != "-" or d[7] != "-":
        return False
    digits = d[0:4] + d[5:7] + d[8:10]
    if not all("0" <= c <= "9" for c in digits):
        return False
    return 1 <= int(d[5:7]) <= 12 and 1 <= int(d[8:10]) <= 31


def is_force_code(c):
    return (isinstance(c, str) and 2 <= len(c) <= 12 and "A" <= c[0] <= "Z"
            and all("A" <= x <= "Z" or "0" <= x <= "9" for x in c))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_body_schema(doc):
    def bad(why):
        raise DirectoryError("malformed", why)
    if not isinstance(doc, dict):
        bad("body is not an object")
    if set(doc) - {"version", "serial", "issued", "expires", "forces"}:
        bad("unknown field")
    if not is_int(doc.get("version")) or doc["version"] != 1:
        bad("version")
    if not is_int(doc.get("serial")) or not 1 <= doc["serial"] < 1 << 63:
        bad("serial")
    if not is_day(doc.get("issued")) or not is_day(doc.get("expires")):
        bad("days")
    if doc["expires"] < doc["issued"]:
        bad("expires before issued")
    forces = doc.get("forces")
    if not isinstance(forces, list) or not 1 <= len(forces) <= 256:
        bad("forces")
    codes = set()
    allowed = {"code", "name", "decryption_keys", "transfer_key", "valid_from", "valid_until"}
    for f in forces:
        if not isinstance(f, dict) or set(f) - allowed:
            bad("force entry")
        if not is_force_code(f.get("code")) or f["code"] in codes:
            bad("force code")
        codes.add(f["code"])
        name = f.get("name")
        if not isinstance(name, str) or not 1 <= len(name.encode("utf-8")) <= 200:
            bad("name")
        keys = f.get("decryption_keys")
        if not isinstance(keys, list) or not 1 <= len(keys) <= 16:
            bad("decryption_keys")
        seen = set()
        for k in keys:
            if not isinstance(k, str):
                bad("key not text")
            try:
                _, raw = parse_public_key(k, "dec")
            except KeyTextError as e:
                bad("decryption key: " + str(e))
            if raw in seen:
                bad("decryption key twice")
            seen.add(raw)
        if not isinstance(f.get("transfer_key"), str):
            bad("transfer key")
        try:
            parse_public_key(f["transfer_key"], "xfer")
        except KeyTextError as e:
            bad("transfer key: " + str(e))
        if not is_day(f.get("valid_from")) or not is_day(f.get("valid_until")):
            bad("validity days")
        if f["valid_until"] < f["valid_from"]:
            bad("valid_until before valid_from")


def verify_directory(data, pinned_root_key, today):
    """directory.md §5. `data` is bytes. Returns the body object or raises DirectoryError."""
    if len(data) > 1 << 20:
        raise DirectoryError("malformed", "too large")
    lines = []
    rest = data
    for _ in range(4):
        nl = rest.find(b"\n")
        if nl < 0:
            lines.append(None)
            break
        lines.append(rest[:nl])
        rest = rest[nl + 1:]
    if lines[0] is None or not lines[0].startswith(b"sealdrop-directory "):
        raise DirectoryError("bad-magic", "first line")
    if lines[0] != b"sealdrop-directory v1":
        raise DirectoryError("unsupported-version", "first line")
    if (len(lines) < 4 or None in lines or not lines[1].startswith(b"root ")
            or not lines[2].startswith(b"signature ") or lines[3] != b""):
        raise DirectoryError("bad-signature", "not signed")
    body = rest
    try:
        _, signer = parse_public_key(lines[1][len(b"root "):].decode("utf-8"), "root")
    except (KeyTextError, UnicodeDecodeError):
        raise DirectoryError("bad-signature", "bad root line") from None
    if signer != pinned_root_key:
        raise DirectoryError("bad-signature", "another root key")
    try:
        sig = b64_std_decode_strict(lines[2][len(b"signature "):].decode("ascii"))
    except UnicodeDecodeError:
        sig = None
    if sig is None or len(sig) != 64:
        raise DirectoryError("bad-signature", "signature encoding")
    try:
        nb.crypto_sign_open(sig + b"SealDrop force directory v1\x00" + body, signer)
    except nacl.exceptions.BadSignatureError:
        raise DirectoryError("bad-signature", "signature does not verify") from None
    doc = strict_json(body)
    if doc is None:
        raise DirectoryError("malformed", "body is not JSON")
    canonical = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if canonical.encode("utf-8") != body:
        raise DirectoryError("malformed", "body is not canonical")
    check_body_schema(doc)
    if doc["issued"] > today:
        raise DirectoryError("expired", "not valid yet")
    if doc["expires"] < today:
        raise DirectoryError("expired", "expired")
    return doc


def check_directory(root):
    folder = os.path.join(root, "directory")
    with open(os.path.join(folder, "root.public"), encoding="utf-8") as f:
        root_text = f.read()
    _, root_key = parse_public_key(root_text, "root")
    check("directory: root.public fingerprint",
          fingerprint("root", root_key) == "2104-1ecc-c082-2fbe-dcfe")
    with open(os.path.join(folder, "directory.signed"), "rb") as f:
        data = f.read()

    def outcome(blob, key=root_key, today="2027-01-01"):
        try:
            verify_directory(blob, key, today)
            return "ok"
        except DirectoryError as e:
            return e.code

    try:
        doc = verify_directory(data, root_key, "2027-01-01")
        met = [f for f in doc["forces"] if f["code"] == "MET"]
        with open(os.path.join(root, "keys", "MET.public"), encoding="utf-8") as f:
            met_text = f.read().strip()
        check("directory: verifies (signature, root line, canonical body, schema)", True)
        check("directory: serial 7, 2026-11-22 to 2027-11-22, lists MET with the vector key",
              doc["serial"] == 7 and doc["issued"] == "2026-11-22"
              and doc["expires"] == "2027-11-22" and len(met) == 1
              and met[0]["decryption_keys"] == [met_text])
    except DirectoryError as e:
        check("directory: verifies (signature, root line, canonical body, schema)", False, str(e))

    body_at = data.index(b"\n\n") + 2
    check("directory: valid on its first and last day",
          outcome(data, today="2026-11-22") == "ok" and outcome(data, today="2027-11-22") == "ok")
    check("directory: expired before issued and after expires",
          outcome(data, today="2026-11-21") == "expired"
          and outcome(data, today="2027-11-23") == "expired")
    for at in (body_at, body_at + 40, len(data) - 1):
        flipped = bytearray(data)
        flipped[at] ^= 0x01
        got = outcome(bytes(flipped))
        check(f"directory: one body byte flipped (offset {at}) -> bad-signature",
              got == "bad-signature", got)
    other_root = nb.crypto_sign_seed_keypair(bytes(32))[0]
    got = outcome(data, key=other_root)
    check("directory: another pinned root -> bad-signature", got == "bad-signature", got)
    got = outcome(data.replace(b"sealdrop-directory v1", b"sealdrop-directory v2", 1))
    check("directory: version line v2 -> unsupported-version", got == "unsupported-version", got)
    got = outcome(b"SEALDROP" + data[8:])
    check("directory: other first line -> bad-magic", got == "bad-magic", got)

    # The canonical rule in Python equals what the signer produced.
    body = data[body_at:]
    doc = json.loads(body.decode("utf-8"))
    check("directory: json.dumps(indent=2, sort_keys=True, ensure_ascii=False) + '\\n' "
          "reproduces the signed body",
          (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode() == body)


# --------------------------------------------------------------------------------------------
# Codename (codename.md).


def load_wordlist(repo_root):
    path = os.path.join(repo_root, "crypto", "data", "wordlist_en_eff.txt")
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line.split(b"\t", 1)[1].decode("ascii") for line in lines]


def normalize_codename(typed, words):
    """codename.md §3. `typed` is bytes; returns canonical bytes or None."""
    if len(typed) > 512:
        return None
    parts = []
    for w in typed.replace(b"\t", b" ").replace(b"\n", b" ").replace(b"\v", b" ") \
                  .replace(b"\f", b" ").replace(b"\r", b" ").split(b" "):
        if not w:
            continue
        w = bytes(c + 32 if 65 <= c <= 90 else c for c in w)
        try:
            if w.decode("ascii") not in words:
                return None
        except UnicodeDecodeError:
            return None
        parts.append(w)
    if len(parts) != 7:
        return None
    return b" ".join(parts)


def check_codename(root):
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(root)))
    words = load_wordlist(repo_root)
    wordset = set(words)
    check("codename: word list has 7,776 distinct words in byte order",
          len(words) == 7776 and len(wordset) == 7776 and words == sorted(words))
    h = hashlib.blake2b(digest_size=32)
    for w in words:
        h.update(w.encode() + b"\n")
    check("codename: word list BLAKE2b-256 checksum",
          h.hexdigest() == "323606b363ebdedff9f562cb84c50df1a21cbd4b597ff4566df92bb9f2cefdfd")
    codename = "abacus abdomen abdominal abide abiding ability ablaze"
    check("codename: normalisation of case and white space",
          normalize_codename(b"  Abacus\tABDOMEN  abdominal\n abide abiding   ability ablaze \r\n",
                             wordset) == codename.encode())
    check("codename: rejects six words, eight words, a non-word and a no-break space",
          all(normalize_codename(b, wordset) is None for b in (
              b"abacus abdomen abdominal abide abiding ability",
              b"abacus abdomen abdominal abide abiding ability ablaze zoom",
              b"abacus abdomen abdominal abide abiding ability notaword",
              b"abacus abdomen abdominal abide abiding ability ablaze\xc2\xa0")))
    canonical = normalize_codename(codename.encode(), wordset)
    master = argon2id.kdf(32, canonical, bytes(range(16)), opslimit=3, memlimit=64 << 20)
    lookup_id = kdf(master, 1, b"SDsrclkp")
    seed = kdf(master, 2, b"SDsrckey")
    public, _ = nb.crypto_box_seed_keypair(seed)
    check("codename: lookup id vector",
          lookup_id.hex() == "0b328933f3e5abaafbac682b8db4f0044d96cb8bcb98660b28c1130b20dc0c5e",
          lookup_id.hex())
    text = encode_public_key("src", public)
    check("codename: source public key vector",
          text == "sealdrop-src-ZGQqJ2d0iU_3SKrcJg0JQkCs9xUXMVADqhAxlhhd_l3cilch", text)


def main(argv):
    if len(argv) != 2:
        print("usage: independent_decoder.py VECTORS_DIR", file=sys.stderr)
        return 2
    root = argv[1]
    for section in (check_envelopes, check_keys, check_directory, check_codename):
        try:
            section(root)
        except Exception as e:  # a crash in one section must not hide the others
            check(f"{section.__name__} ran to completion", False, repr(e))
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
