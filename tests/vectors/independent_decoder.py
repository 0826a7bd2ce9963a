#!/usr/bin/python3
"""Independent decoder for the SealDrop test vectors.

Written from the specs in docs/ (envelope.md, keys.md, directory.md, codename.md, bundle.md,
console.md §5 and §7.4)
alone, not from the C++ code, so that a disagreement points at a spec or a vector. Run with
Debian's Python (PyNaCl 1.5):

    /usr/bin/python3 tests/vectors/independent_decoder.py tests/vectors

Besides the committed vectors it checks rules that are cheap to exercise here: envelopes it
seals itself to the vectors' recipient key (non-canonical META and PART, DATA layouts, padding
bounds), the canonical JSON number format against nlohmann::json's own to_chars test values,
and edits of the directory vector (root line, days, key texts).

Prints one line per check and ends with "N passed, M failed"; exits 0 only if M == 0.
"""

import base64
import hashlib
import hmac
import json
import math
import os
import struct
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
    """Parses UTF-8 bytes as the reference parser does (envelope.md §7.1), or returns None.
    RFC 8259 only (no NaN/Infinity), no unpaired surrogates, the last of repeated names wins;
    an integer outside [-2^63, 2^64 - 1] becomes a double; a number whose double is infinite
    is an error. `skip_bom`: skip one leading UTF-8 byte order mark."""
    def no_constants(name):
        raise ValueError(name)

    def finite_double(text):
        v = float(text)
        if not math.isfinite(v):
            raise ValueError("number overflow")
        return v

    def integer(text):
        v = int(text)
        return v if -(1 << 63) <= v < (1 << 64) else finite_double(text)

    if skip_bom and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=no_constants,
                           parse_int=integer, parse_float=finite_double)
    except (UnicodeDecodeError, ValueError):
        return None
    except RecursionError:
        # Nesting deeper than Python's recursion limit; no vector does this.
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


# Canonical JSON (envelope.md §7.1): nlohmann::json's dump() with no indent.

# Grisu2 as in nlohmann::json (detail::dtoa_impl): cached powers c = f * 2^e ~= 10^k.
GRISU_CACHED = [
    (0xAB70FE17C79AC6CA, -1060, -300), (0xFF77B1FCBEBCDC4F, -1034, -292),
    (0xBE5691EF416BD60C, -1007, -284), (0x8DD01FAD907FFC3C, -980, -276),
    (0xD3515C2831559A83, -954, -268), (0x9D71AC8FADA6C9B5, -927, -260),
    (0xEA9C227723EE8BCB, -901, -252), (0xAECC49914078536D, -874, -244),
    (0x823C12795DB6CE57, -847, -236), (0xC21094364DFB5637, -821, -228),
    (0x9096EA6F3848984F, -794, -220), (0xD77485CB25823AC7, -768, -212),
    (0xA086CFCD97BF97F4, -741, -204), (0xEF340A98172AACE5, -715, -196),
    (0xB23867FB2A35B28E, -688, -188), (0x84C8D4DFD2C63F3B, -661, -180),
    (0xC5DD44271AD3CDBA, -635, -172), (0x936B9FCEBB25C996, -608, -164),
    (0xDBAC6C247D62A584, -582, -156), (0xA3AB66580D5FDAF6, -555, -148),
    (0xF3E2F893DEC3F126, -529, -140), (0xB5B5ADA8AAFF80B8, -502, -132),
    (0x87625F056C7C4A8B, -475, -124), (0xC9BCFF6034C13053, -449, -116),
    (0x964E858C91BA2655, -422, -108), (0xDFF9772470297EBD, -396, -100),
    (0xA6DFBD9FB8E5B88F, -369, -92), (0xF8A95FCF88747D94, -343, -84),
    (0xB94470938FA89BCF, -316, -76), (0x8A08F0F8BF0F156B, -289, -68),
    (0xCDB02555653131B6, -263, -60), (0x993FE2C6D07B7FAC, -236, -52),
    (0xE45C10C42A2B3B06, -210, -44), (0xAA242499697392D3, -183, -36),
    (0xFD87B5F28300CA0E, -157, -28), (0xBCE5086492111AEB, -130, -20),
    (0x8CBCCC096F5088CC, -103, -12), (0xD1B71758E219652C, -77, -4),
    (0x9C40000000000000, -50, 4), (0xE8D4A51000000000, -24, 12),
    (0xAD78EBC5AC620000, 3, 20), (0x813F3978F8940984, 30, 28),
    (0xC097CE7BC90715B3, 56, 36), (0x8F7E32CE7BEA5C70, 83, 44),
    (0xD5D238A4ABE98068, 109, 52), (0x9F4F2726179A2245, 136, 60),
    (0xED63A231D4C4FB27, 162, 68), (0xB0DE65388CC8ADA8, 189, 76),
    (0x83C7088E1AAB65DB, 216, 84), (0xC45D1DF942711D9A, 242, 92),
    (0x924D692CA61BE758, 269, 100), (0xDA01EE641A708DEA, 295, 108),
    (0xA26DA3999AEF774A, 322, 116), (0xF209787BB47D6B85, 348, 124),
    (0xB454E4A179DD1877, 375, 132), (0x865B86925B9BC5C2, 402, 140),
    (0xC83553C5C8965D3D, 428, 148), (0x952AB45CFA97A0B3, 455, 156),
    (0xDE469FBD99A05FE3, 481, 164), (0xA59BC234DB398C25, 508, 172),
    (0xF6C69A72A3989F5C, 534, 180), (0xB7DCBF5354E9BECE, 561, 188),
    (0x88FCF317F22241E2, 588, 196), (0xCC20CE9BD35C78A5, 614, 204),
    (0x98165AF37B2153DF, 641, 212), (0xE2A0B5DC971F303A, 667, 220),
    (0xA8D9D1535CE3B396, 694, 228), (0xFB9B7CD9A4A7443C, 720, 236),
    (0xBB764C4CA7A44410, 747, 244), (0x8BAB8EEFB6409C1A, 774, 252),
    (0xD01FEF10A657842C, 800, 260), (0x9B10A4E5E9913129, 827, 268),
    (0xE7109BFBA19C0C9D, 853, 276), (0xAC2820D9623BF429, 880, 284),
    (0x80444B5E7AA7CF85, 907, 292), (0xBF21E44003ACDD2D, 933, 300),
    (0x8E679C2F5E44FF8F, 960, 308), (0xD433179D9C8CB841, 986, 316),
    (0x9E19DB92B4E31BA9, 1013, 324),
]


def _grisu2(value):
    """nlohmann's Grisu2 for a finite double > 0: (digits, exponent), value ~ digits * 10^exponent.
    The digits round-trip; they are the shortest such digits in nearly all cases."""
    def normalize(f, e):
        while f >> 63 == 0:
            f, e = f << 1, e - 1
        return f, e

    def mul(x, y):  # upper 64 bits of the 128-bit product, rounded (ties up)
        return (x[0] * y[0] + (1 << 63)) >> 64, x[1] + y[1] + 64

    bits = struct.unpack("<Q", struct.pack("<d", value))[0]
    big_e, f = bits >> 52, bits & ((1 << 52) - 1)
    v = (f, -1074) if big_e == 0 else (f + (1 << 52), big_e - 1075)
    m_plus = normalize(2 * v[0] + 1, v[1] - 1)
    if f == 0 and big_e > 1:  # the lower boundary is closer
        m_minus = (4 * v[0] - 1, v[1] - 2)
    else:
        m_minus = (2 * v[0] - 1, v[1] - 1)
    m_minus = (m_minus[0] << (m_minus[1] - m_plus[1]), m_plus[1])
    v = normalize(*v)
    x = -61 - m_plus[1]
    k = (abs(x) * 78913 >> 18) * (1 if x >= 0 else -1) + (1 if x > 0 else 0)  # C division
    cf, ce, ck = GRISU_CACHED[(300 + k + 7) // 8]
    w, w_minus, w_plus = mul(v, (cf, ce)), mul(m_minus, (cf, ce)), mul(m_plus, (cf, ce))
    upper, shift = w_plus[0] - 1, -w_plus[1]
    delta, dist = upper - (w_minus[0] + 1), upper - w[0]
    one = 1 << shift
    p1, p2 = upper >> shift, upper & (one - 1)
    digits, exponent = [], -ck

    def round_last(rest, ten_k):
        while (rest < dist and delta - rest >= ten_k
               and (rest + ten_k < dist or dist - rest > rest + ten_k - dist)):
            digits[-1] -= 1
            rest += ten_k

    n, pow10 = 1, 1
    while pow10 * 10 <= p1:
        n, pow10 = n + 1, pow10 * 10
    while n > 0:
        d, p1 = divmod(p1, pow10)
        digits.append(d)
        n -= 1
        rest = (p1 << shift) + p2
        if rest <= delta:
            round_last(rest, pow10 << shift)
            return "".join(map(str, digits)), exponent + n
        pow10 //= 10
    m = 0
    while True:
        p2 *= 10
        digits.append(p2 >> shift)
        p2 &= one - 1
        m += 1
        delta, dist = delta * 10, dist * 10
        if p2 <= delta:
            break
    round_last(p2, one)
    return "".join(map(str, digits)), exponent - m


def canonical_double(x):
    """nlohmann's to_chars: Grisu2 digits, fixed notation for 1e-4 <= |x| < 1e15."""
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    x = abs(x)
    if x == 0:
        return sign + "0.0"
    digits, exponent = _grisu2(x)
    k = len(digits)
    n = k + exponent  # position of the decimal point
    if k <= n <= 15:
        return sign + digits + "0" * (n - k) + ".0"
    if 0 < n <= 15:
        return sign + digits[:n] + "." + digits[n:]
    if -4 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'-' if e < 0 else '+'}{abs(e):02d}"


JSON_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                      "\f": "\\f", "\r": "\\r"}


def canonical_string(s):
    out = ['"']
    for c in s:
        if c in JSON_SHORT_ESCAPES:
            out.append(JSON_SHORT_ESCAPES[c])
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)  # "/", U+007F and all non-ASCII as they are
    out.append('"')
    return "".join(out)


def canonical_json(v):
    """The canonical text of a parsed value: compact, members sorted by UTF-8 bytes."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return canonical_double(v)
    if isinstance(v, str):
        return canonical_string(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical_json(x) for x in v) + "]"
    items = sorted(v.items(), key=lambda kv: kv[0].encode("utf-8"))
    return "{" + ",".join(canonical_string(k) + ":" + canonical_json(x) for k, x in items) + "}"


def canonical_json_object(body):
    """The object a META or PART body holds if the body is exactly its canonical form."""
    obj = strict_json(body, skip_bom=True)
    if not isinstance(obj, dict) or canonical_json(obj).encode("utf-8") != body:
        return None
    return obj


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
    """Returns (metadata_bytes, [(name, type, content)], L, n) or raises EnvelopeError."""
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
    seen_meta = in_part = short_data = False
    while True:
        hdr = stream.read(5)
        rtype, length = hdr[0], int.from_bytes(hdr[1:5], "little")
        if rtype < 1 or rtype > 4:
            raise EnvelopeError("malformed", "unknown record type")
        if rtype == 3 and short_data:
            raise EnvelopeError("malformed", "a short DATA record is followed by another")
        short_data = rtype == 3 and length < MAX_DATA
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
            if canonical_json_object(body) is None:
                raise EnvelopeError("malformed", "META is not a canonical JSON object")
            metadata = body
        elif rtype == 2:
            obj = canonical_json_object(body)
            if (obj is None or set(obj) != {"name", "type"}
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
        if stream.total >= padded_stream_bytes(logical):
            # Another chunk would already be too much padding: stop without reading it.
            raise EnvelopeError("malformed", "padding is longer than the canonical length")
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
        want_l = 5 + len(meta) + 5  # envelope.md §9: the layout follows from the parts
        for p in v["parts"]:
            header = canonical_json({"name": p["name"], "type": p["type"]}).encode("utf-8")
            want_l += 5 + len(header) + p["size"] + 5 * -(-p["size"] // MAX_DATA)
        if logical != want_l:
            problems.append(f"L = {logical}, the layout formula gives {want_l}")
        check(name, not problems, "; ".join(problems))


def seal_stream(recipient_pk, plaintext):
    """Seals a padded plaintext stream (a whole number of chunks) to one key (envelope.md §3-6)."""
    file_key = os.urandom(32)
    header = MAGIC + bytes([1, 1]) + nb.crypto_box_seal(file_key, recipient_pk)
    header += hmac256(kdf(file_key, 1, b"SDenvhdr"), header)
    state = nb.crypto_secretstream_xchacha20poly1305_state()
    header += nb.crypto_secretstream_xchacha20poly1305_init_push(state, kdf(file_key, 2, b"SDenvpay"))
    out = bytearray(header)
    count = len(plaintext) // CHUNK
    for j in range(count):
        out += nb.crypto_secretstream_xchacha20poly1305_push(
            state, plaintext[j * CHUNK:(j + 1) * CHUNK], None,
            TAG_FINAL if j == count - 1 else TAG_MESSAGE)
    return bytes(out)


def record(rtype, body):
    return bytes([rtype]) + len(body).to_bytes(4, "little") + body


def raw_envelope(recipient_pk, records, padded=None):
    """Records, then zero padding to `padded` (default: the canonical length), sealed."""
    stream = b"".join(records)
    padded = padded_stream_bytes(len(stream)) if padded is None else padded
    return seal_stream(recipient_pk, stream + bytes(padded - len(stream)))


def write_envelope(recipient_pk, metadata, parts):
    """What a writer must emit (envelope.md §7): canonical META and PART, full DATA records."""
    records = [record(1, canonical_json(metadata).encode("utf-8"))]
    for name, ctype, content in parts:
        records.append(record(2, canonical_json({"name": name, "type": ctype}).encode("utf-8")))
        records += [record(3, content[i:i + MAX_DATA]) for i in range(0, len(content), MAX_DATA)]
    return raw_envelope(recipient_pk, records + [record(4, b"")])


def check_canonical_json():
    """envelope.md §7.1, against values from nlohmann::json's own to_chars tests."""
    doubles = [(1.2345e21, "1.2344999999999999e+21"), (1.2345e15, "1.2345e+15"),
               (1.2345e14, "123450000000000.0"), (12345.0, "12345.0"), (1.2345, "1.2345"),
               (-1.2345e-4, "-0.00012345"), (-1.2345e-5, "-1.2345e-05"), (-0.0, "-0.0"),
               (0.0, "0.0"), (5e-324, "5e-324"),
               (1.7976931348623157e308, "1.7976931348623157e+308"),
               (math.ldexp(6733459239310543, 202), "4.328100728446125e+76"),
               (math.ldexp(8385515147034757, 721), "9.25031711960365e+232")]
    wrong = [f"{x!r}: {canonical_double(x)} != {want}" for x, want in doubles
             if canonical_double(x) != want]
    check("canonical JSON: doubles formatted as nlohmann's to_chars", not wrong, "; ".join(wrong))
    sample = {"z": [1, -1, 0, 18446744073709551615, -9223372036854775808, True, False, None, {}, []],
              "a/b": "".join(chr(i) for i in range(0x20)) + "\"\\/\x7f\u00e9\u2028\U0001f600",
              "\u00e9": {"é": "x", "e": "y"}, "": ""}
    check("canonical JSON without doubles is json.dumps(separators=(',', ':'), sort_keys=True, "
          "ensure_ascii=False)",
          canonical_json(sample) == json.dumps(sample, separators=(",", ":"), sort_keys=True,
                                               ensure_ascii=False))
    check("canonical JSON: big integers become doubles, 1e400 and NaN are not JSON",
          strict_json(b"[18446744073709551616]") == [float(1 << 64)]
          and strict_json(b"[-9223372036854775809]") == [-float(1 << 63)]
          and strict_json(b"[1e400]") is None and strict_json(b"[NaN]") is None
          and strict_json(b'["\\ud800"]') is None)


def check_envelope_rules(root):
    """The strict layout rules of envelope.md §7 and the padding bound of §10, on envelopes
    built here with the vectors' recipient key."""
    folder = os.path.join(root, "envelope")
    with open(os.path.join(folder, "recipient.key"), encoding="ascii") as f:
        sk = bytes.fromhex(f.read().strip())
    pk = nb.crypto_scalarmult_base(sk)

    def outcome(data):
        try:
            open_envelope(data, [(pk, sk)])
            return "ok"
        except EnvelopeError as e:
            return e.code

    meta = {"kind": "report", "note": "tab\tnl\n\x01 / \x7f é \u2028 \U0001f600",
            "n": [0, -7, 18446744073709551615, 0.1, 1.2345e21, 1e15, -0.0, True, None, {}, []]}
    parts = [("a.bin", "", bytes(range(256)) * 300), ("empty", "", b""),
             ("ünï/\"q\"", "text/plain", b"x" * (2 * MAX_DATA)), ("c", "", b"y" * 10)]
    data = write_envelope(pk, meta, parts)
    try:
        got_meta, got_parts, logical, n = open_envelope(data, [(pk, sk)])
        check("envelope rule: a writer's envelope (canonical META and PART, full DATA) opens",
              got_meta == canonical_json(meta).encode() and got_parts == parts
              and len(data) == sealed_size(padded_stream_bytes(logical), n))
    except EnvelopeError as e:
        check("envelope rule: a writer's envelope (canonical META and PART, full DATA) opens",
              False, str(e))

    canonical = canonical_json(meta).encode()
    not_canonical = {
        "white space after a colon": b'{"kind": "report"}',
        "a trailing newline": b'{"kind":"report"}\n',
        "members not sorted": b'{"kind":"report","force":"MET"}',
        "a repeated member": b'{"kind":"report","kind":"report"}',
        "a byte order mark": b"\xef\xbb\xbf" + canonical,
        "an escaped solidus": b'{"kind":"a\\/b"}',
        "an escaped non-ASCII character": b'{"kind":"\\u00e9"}',
        "upper-case hex in an escape": b'{"kind":"\\u001F"}',
        "\\u0009 for a tab": b'{"kind":"\\u0009"}',
        "an escaped DEL": b'{"kind":"\\u007f"}',
        "Python's 1000000000000000.0 for 1e+15": b'{"n":1000000000000000.0}',
        "the shortest 1.2345e+21 (Grisu2 gives 1.2344999999999999e+21)": b'{"n":1.2345e+21}',
        "an exponent for an integer": b'{"n":1E2}',
        "-0 for 0": b'{"n":-0}',
        "an integer above 2^64 - 1": b'{"n":18446744073709551616}',
    }
    end = record(4, b"")
    for what, body in not_canonical.items():
        got = outcome(raw_envelope(pk, [record(1, body), end]))
        check(f"envelope rule: META with {what} -> malformed", got == "malformed", got)
    meta_ok = b'{"kind":"report"}'
    for what, body in {"members not sorted": b'{"type":"","name":"a"}',
                       "white space": b'{"name": "a","type": ""}'}.items():
        got = outcome(raw_envelope(pk, [record(1, meta_ok), record(2, body), end]))
        check(f"envelope rule: PART with {what} -> malformed", got == "malformed", got)

    part = record(2, b'{"name":"a","type":""}')
    layouts = {
        "full, full, short DATA -> ok": ([record(3, b"a" * MAX_DATA)] * 2 + [record(3, b"b")], "ok"),
        "short DATA, PART, DATA -> ok": ([record(3, b"a"), part, record(3, b"b")], "ok"),
        "full, short, full DATA -> malformed":
            ([record(3, b"a" * MAX_DATA), record(3, b"b"), record(3, b"a" * MAX_DATA)], "malformed"),
        "a 65,535-byte DATA then DATA -> malformed":
            ([record(3, b"a" * (MAX_DATA - 1)), record(3, b"b")], "malformed"),
    }
    for what, (records, want) in layouts.items():
        got = outcome(raw_envelope(pk, [record(1, meta_ok), part] + records + [end]))
        check(f"envelope rule: {what}", got == want, got)

    # Padding one chunk too long is refused before that chunk is read: so it makes no
    # difference if that chunk is missing or damaged.
    with open(os.path.join(folder, "malformed-padding-too-long.sealed"), "rb") as f:
        too_long = f.read()
    damaged = bytearray(too_long)
    damaged[-100] ^= 1
    got = (outcome(too_long[:-SEALED_CHUNK]), outcome(too_long[:-1]), outcome(bytes(damaged)))
    check("envelope rule: over-long padding is malformed before the extra chunk is read "
          "(cut or damaged extra chunk)", got == ("malformed",) * 3, repr(got))
    long_pad = raw_envelope(pk, [record(1, meta_ok), end], padded=6 * CHUNK)
    got = outcome(long_pad[:-3 * SEALED_CHUNK])
    check("envelope rule: 6 chunks where 2 are canonical, cut after 3 -> malformed",
          got == "malformed", got)


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
    """directory.md §4: YYYY-MM-DD, a real Gregorian calendar day, year 2000 or later."""
    if not isinstance(d, str) or len(d) != 10 or d[4] != "-" or d[7] != "-":
        return False
    digits = d[0:4] + d[5:7] + d[8:10]
    if not all("0" <= c <= "9" for c in digits):
        return False
    year, month, day = int(d[0:4]), int(d[5:7]), int(d[8:10])
    if year < 2000 or not 1 <= month <= 12 or day < 1:
        return False
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    length = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= length


def parse_exact_key(text, tag):
    """A key that must be exactly its canonical text (keys.md §2), with no white space."""
    _, raw = parse_public_key(text, tag)
    if text != encode_public_key(tag, raw):
        raise KeyTextError("key text not canonical")
    return raw


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
                raw = parse_exact_key(k, "dec")
            except KeyTextError as e:
                bad("decryption key: " + str(e))
            if raw in seen:
                bad("decryption key twice")
            seen.add(raw)
        if not isinstance(f.get("transfer_key"), str):
            bad("transfer key")
        try:
            parse_exact_key(f["transfer_key"], "xfer")
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
        signer = parse_exact_key(lines[1][len(b"root "):].decode("utf-8"), "root")
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

    # The root line must be exactly "root " and the canonical key text (it is not signed).
    root_line = b"root " + root_text.strip().encode()
    for what, line in {"a trailing space": root_line + b" ", "two spaces": b"root " + root_line[4:],
                       "a CR": root_line + b"\r"}.items():
        got = outcome(data.replace(root_line + b"\n", line + b"\n", 1))
        check(f"directory: root line with {what} -> bad-signature", got == "bad-signature", got)

    # Days are real calendar days from 2000; key strings are exactly the canonical key text.
    days = {"2026-11-22": True, "2028-02-29": True, "2000-02-29": True, "2000-01-01": True,
            "2027-02-29": False, "2100-02-29": False, "2026-04-31": False, "2026-00-10": False,
            "2026-13-01": False, "1999-12-31": False, "0000-01-01": False, "2026-1-01": False,
            "2026/11/22": False, "2026-11-22 ": False, "": False}
    wrong = [d for d, want in days.items() if is_day(d) != want]
    check("directory: days are Gregorian calendar days from 2000", not wrong, ", ".join(wrong))
    good = json.loads(data[body_at:].decode("utf-8"))

    def schema_outcome(edit):
        doc = json.loads(json.dumps(good))
        edit(doc)
        try:
            check_body_schema(doc)
            return "ok"
        except DirectoryError as e:
            return e.code
    force = good["forces"][0]
    edits = {
        "a transfer key with a leading space":
            lambda d: d["forces"][0].update(transfer_key=" " + force["transfer_key"]),
        "a decryption key with a trailing newline":
            lambda d: d["forces"][0].update(decryption_keys=[force["decryption_keys"][0] + "\n"]),
        "issued 2027-02-29": lambda d: d.update(issued="2027-02-29"),
        "valid_until 2027-11-31": lambda d: d["forces"][0].update(valid_until="2027-11-31"),
    }
    check("directory: the vector's body passes the schema", schema_outcome(lambda d: None) == "ok")
    for what, edit in edits.items():
        got = schema_outcome(edit)
        check(f"directory: schema refuses {what} (malformed)", got == "malformed", got)

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
    master = argon2id.kdf(32, canonical, b"SealDrop source1", opslimit=3, memlimit=64 << 20)
    auth = kdf(master, 1, b"SDsrcath")
    seed = kdf(master, 2, b"SDsrckey")
    public, _ = nb.crypto_box_seed_keypair(seed)
    lookup_id = hashlib.blake2b(auth, digest_size=32, key=bytes(range(16))).digest()
    check("codename: auth value vector",
          auth.hex() == "e434a2288d4a46289109013e1d47886775a2d794ed01811a083521f8b96baf25",
          auth.hex())
    check("codename: lookup id vector",
          lookup_id.hex() == "57edbf4dc60f6cb705e73696d12157354930ec73753e9983ef46aae8b3c5d410",
          lookup_id.hex())
    text = encode_public_key("src", public)
    check("codename: source public key vector",
          text == "sealdrop-src-8ttYaB9qjd4fyiCyAGNc1anKtA-tMSl3y11T-22NlD7ByEcg", text)


# --------------------------------------------------------------------------------------------
# Bundles and import receipts (bundle.md).

MIN_SEALED = 131218


def is_hex(v, n):
    return isinstance(v, str) and len(v) == n and all(c in "0123456789abcdef" for c in v)


def receipt_outcome(text):
    """bundle.md §5: "ok" when `text` (bytes) is exactly the canonical form of a valid receipt."""
    if len(text) > 512 * 1024:
        return "malformed"
    doc = strict_json(text)
    if not isinstance(doc, dict) or canonical_json(doc).encode("utf-8") != text:
        return "malformed"
    if set(doc) != {"version", "type", "id", "force", "day", "items"}:
        return "malformed"
    items = doc["items"]
    if (not is_int(doc["version"]) or doc["version"] != 1 or doc["type"] != "import-receipt"
            or not is_hex(doc["id"], 32) or not is_force_code(doc["force"])
            or not is_day(doc["day"]) or not isinstance(items, list)
            or not 1 <= len(items) <= 10000 or not all(is_hex(i, 32) for i in items)
            or any(items[k] >= items[k + 1] for k in range(len(items) - 1))):
        return "malformed"
    return "ok"


def bundle_outcome(data):
    """bundle.md §3, in its order. Returns (label, receipt text or None)."""
    if len(data) < 64:
        return "truncated", None
    if data[:8] != b"SDBUNDLE":
        return "bad-magic", None
    if data[8] != 1:
        return "unsupported-version", None
    if any(data[9:16]):
        return "malformed", None
    m_off, m_len = struct.unpack("<QQ", data[-48:-32])
    if m_off + m_len + 48 != len(data) or m_off < 16 or m_len > 16 << 20:
        return "truncated", None
    if hashlib.sha256(data[:m_off + m_len]).digest() != data[-32:]:
        return "payload-corrupt", None
    text = data[m_off:m_off + m_len]
    m = strict_json(text)
    if not isinstance(m, dict) or canonical_json(m).encode("utf-8") != text:
        return "malformed", None
    outbox = m.get("type") == "outbox"
    expected = {"version", "type", "force", "day", "items"} | ({"receipt"} if "receipt" in m else set())
    if (set(m) != expected or not is_int(m["version"]) or m["version"] != 1
            or m["type"] not in ("pull", "outbox") or not is_force_code(m["force"])
            or not is_day(m["day"]) or not isinstance(m["items"], list)):
        return "malformed", None
    receipt = None
    if "receipt" in m:
        if not outbox or not isinstance(m["receipt"], dict):
            return "malformed", None
        receipt = canonical_json(m["receipt"]).encode("utf-8")
        if receipt_outcome(receipt) != "ok" or m["receipt"]["force"] != m["force"]:
            return "malformed", None
    at, ids = 16, set()
    for it in m["items"]:
        members = {"id", "kind", "day", "offset", "size", "sha256"}
        if outbox:
            members |= {"to"} | ({"source"} if isinstance(it, dict) and "source" in it else set())
        if (not isinstance(it, dict) or set(it) != members or not is_hex(it["id"], 32)
                or it["id"] in ids or not is_day(it["day"]) or not is_hex(it["sha256"], 64)
                or not is_int(it["offset"]) or not is_int(it["size"]) or it["offset"] != at
                or it["size"] < MIN_SEALED):
            return "malformed", None
        kinds = ("reply", "forward") if outbox else ("report", "followup")
        if it["kind"] not in kinds:
            return "malformed", None
        ids.add(it["id"])
        at += it["size"]
    if at != m_off:
        return "malformed", None
    for it in m["items"]:
        if hashlib.sha256(data[it["offset"]:it["offset"] + it["size"]]).hexdigest() != it["sha256"]:
            return "payload-corrupt", None
    return "ok", receipt


def check_bundles(root):
    folder = os.path.join(root, "bundle")
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        vectors = json.load(f)["vectors"]
    check("bundle: manifest has at least 20 vectors", len(vectors) >= 20)
    for v in vectors:
        with open(os.path.join(folder, v["file"]), "rb") as f:
            data = f.read()
        if v["file"].endswith(".receipt"):
            got, receipt = receipt_outcome(data), data
        else:
            got, receipt = bundle_outcome(data)
        ok = got == v["expect"]
        if ok and "receipt" in v:
            ok = receipt == v["receipt"].encode("utf-8")
        check(f"bundle: {v['file']} -> {v['expect']}", ok, got)


def read_key_slots(data, officer, passphrase):
    """console.md §5.1. Returns (role name, public key) or raises ValueError(error name)."""
    if len(data) < 8 or data[:8] != b"SDKSLOTS":
        raise ValueError("bad-magic")
    if len(data) < 9 or data[8] != 1:
        raise ValueError("unsupported-version")
    if len(data) < 48:
        raise ValueError("malformed")
    count = data[10]
    if not 1 <= count <= 32 or len(data) != 48 + 132 * count + 32:
        raise ValueError("malformed")
    if data[9] != 1 or data[11] != 0:
        raise ValueError("malformed")
    names, found = set(), None
    for i in range(count):
        slot = data[48 + 132 * i:48 + 132 * (i + 1)]
        role, n = slot[0], slot[1]
        if role not in (1, 2) or not 1 <= n <= 32:
            raise ValueError("malformed")
        name = slot[2:2 + n]
        valid = (b"a" <= name[:1] <= b"z"
                 and all(c in b"abcdefghijklmnopqrstuvwxyz0123456789._-" for c in name))
        if not valid or any(slot[2 + n:36]) or name in names:
            raise ValueError("malformed")
        names.add(name)
        ops = int.from_bytes(slot[36:40], "little")
        mem_kib = int.from_bytes(slot[40:44], "little")
        if not (3 <= ops <= 64 and 262144 <= mem_kib <= 1 << 20):
            raise ValueError("malformed")
        if name == officer:
            found = (slot, ops, mem_kib)
    if found is None:
        raise ValueError("not-found")
    slot, ops, mem_kib = found
    wrap_key = argon2id.kdf(32, passphrase, slot[44:60], opslimit=ops, memlimit=mem_kib * 1024)
    ad = data[0:10] + data[16:48] + slot[0:84]
    try:
        secret = nb.crypto_aead_xchacha20poly1305_ietf_decrypt(slot[84:132], ad, slot[60:84],
                                                               wrap_key)
    except nacl.exceptions.CryptoError:
        raise ValueError("wrong-passphrase") from None
    mac = hmac256(kdf(secret, 1, b"SDkslots"), data[:-32])
    if nb.crypto_scalarmult_base(secret) != data[16:48] or not hmac.compare_digest(mac, data[-32:]):
        raise ValueError("header-mac-mismatch")
    return {1: "assessor", 2: "supervisor"}[slot[0]], data[16:48]


def check_key_slots(root):
    folder = os.path.join(root, "keyslots")
    with open(os.path.join(root, "keys", "MET.public"), encoding="utf-8") as f:
        _, met = parse_public_key(f.read(), "dec")
    with open(os.path.join(folder, "MET.keyslots"), "rb") as f:
        data = f.read()

    def passphrase_of(who):
        with open(os.path.join(folder, who + ".txt"), "rb") as f:
            return f.read().split(b"\n", 1)[0]

    def outcome(blob, who, passphrase):
        try:
            return read_key_slots(blob, who, passphrase)
        except ValueError as e:
            return str(e)

    for who, role in ((b"alice", "supervisor"), (b"bob", "assessor")):
        got = outcome(data, who, passphrase_of(who.decode()))
        check(f"key slots: {who.decode()} opens the MET key as {role}", got == (role, met), got)
    got = outcome(data, b"bob", passphrase_of("alice"))
    check("key slots: bob's slot with alice's passphrase -> wrong-passphrase",
          got == "wrong-passphrase", got)
    got = outcome(data, b"carol", passphrase_of("alice"))
    check("key slots: an officer without a slot -> not-found", got == "not-found", got)
    promoted = bytearray(data)
    promoted[48 + 132] = 2  # bob made a supervisor without the key
    got = outcome(bytes(promoted), b"alice", passphrase_of("alice"))
    check("key slots: another slot's role changed -> header-mac-mismatch",
          got == "header-mac-mismatch", got)
    got = outcome(data[:-1], b"alice", passphrase_of("alice"))
    check("key slots: one byte short -> malformed", got == "malformed", got)


def age_open(data, passphrase):
    """An age v1 passphrase file (docs/console.md §7.4), from the spec: scrypt from hashlib
    (OpenSSL), HKDF from hmac, ChaCha20-Poly1305 from libsodium. Returns (label, plaintext)."""
    def b64(text, size):
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except ValueError:
            return None
        ok = len(raw) == size and base64.b64encode(raw).decode().rstrip("=") == text
        return raw if ok else None

    def hkdf(ikm, salt, info):
        prk = hmac.new(salt, ikm, hashlib.sha256).digest()
        return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()

    lines = data.split(b"\n", 4)
    if len(lines) < 5 or lines[0] != b"age-encryption.org/v1":
        return "malformed", None
    stanza, body, mac_line, rest = lines[1].decode(), lines[2].decode(), lines[3].decode(), lines[4]
    args = stanza.split(" ")
    if len(args) != 4 or args[:2] != ["->", "scrypt"] or not mac_line.startswith("--- "):
        return "malformed", None
    salt, wrapped, mac = b64(args[2], 16), b64(body, 32), b64(mac_line[4:], 32)
    if salt is None or wrapped is None or mac is None or not args[3].isdigit() or args[3].startswith("0"):
        return "malformed", None
    log2n = int(args[3])
    key = hashlib.scrypt(passphrase, salt=b"age-encryption.org/v1/scrypt" + salt, n=2 ** log2n, r=8, p=1,
                         dklen=32, maxmem=2 ** 30)
    try:
        file_key = nb.crypto_aead_chacha20poly1305_ietf_decrypt(wrapped, None, bytes(12), key)
    except nacl.exceptions.CryptoError:
        return "wrong-passphrase", None
    header = b"\n".join(lines[:3]) + b"\n---"
    if not hmac.compare_digest(hmac.new(hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest(), mac):
        return "header-mac-mismatch", None
    if len(rest) < 16:
        return "truncated", None
    payload_key, stream = hkdf(file_key, rest[:16], b"payload"), rest[16:]
    out, counter, full = b"", 0, 65536 + 16
    while True:
        chunk, stream = stream[:full], stream[full:]
        last = not stream
        nonce = counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        try:
            plain = nb.crypto_aead_chacha20poly1305_ietf_decrypt(chunk, None, nonce, payload_key)
        except nacl.exceptions.CryptoError:
            if last and len(chunk) == full:
                try:
                    nb.crypto_aead_chacha20poly1305_ietf_decrypt(chunk, None, nonce[:11] + b"\x00", payload_key)
                    return "truncated", None
                except nacl.exceptions.CryptoError:
                    pass
            return "payload-corrupt", None
        if last and not plain and counter > 0:
            return "malformed", None
        out += plain
        if last:
            return "ok", out
        counter += 1


def check_age(root):
    """tests/vectors/age: each file gives its label and, when ok, its plaintext."""
    with open(os.path.join(root, "age", "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    for v in m["vectors"]:
        with open(os.path.join(root, "age", v["file"]), "rb") as f:
            data = f.read()
        passphrase = v.get("passphrase", m["passphrase"]).encode()
        if "text" in v:
            want = v["text"].encode()
        else:
            want = bytes((i * 7) % 256 for i in range(v["pattern_bytes"]))
        label, plain = age_open(data, passphrase)
        check(f"age {v['file']} -> {v['expect']}", label == v["expect"] and (label != "ok" or plain == want), label)


def main(argv):
    if len(argv) != 2:
        print("usage: independent_decoder.py VECTORS_DIR", file=sys.stderr)
        return 2
    root = argv[1]
    try:
        check_canonical_json()
    except Exception as e:  # pylint: disable=broad-except
        check("check_canonical_json ran to completion", False, repr(e))
    for section in (check_envelopes, check_envelope_rules, check_keys, check_key_slots,
                    check_directory, check_codename, check_bundles, check_age):
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
