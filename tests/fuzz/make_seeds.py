#!/usr/bin/python3
"""Writes the seed corpora in tests/fuzz/corpus/ (run once; the output is committed).

Seeds are made from the specs: raw HTTP requests for the source site and the force API,
multipart bodies, Tor PROXY lines, and force API requests signed with the committed vector
transfer key (tests/vectors/keys/MET-transfer.secret) at the fuzzers' fixed clock
(tests/fuzz/fuzz_support.h: 2027-01-15T12:00:00Z). The envelope, directory and bundle seeds are
copies of committed vectors and of a bundle written by the bundle unit test's code.
"""
import base64
import hashlib
import os
import shutil
import sys

import nacl.bindings as nb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "vectors"))
import independent_decoder as spec  # noqa: E402

NOW = 1800014400
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def multipart(boundary, parts):
    out = b""
    for name, value, filename in parts:
        out += b"--" + boundary + b"\r\n"
        disp = b'Content-Disposition: form-data; name="' + name + b'"'
        if filename is not None:
            disp += b'; filename="' + filename + b'"'
        out += disp + b"\r\n"
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def transfer_seed():
    folder = os.path.join(ROOT, "tests", "vectors", "keys")
    with open(os.path.join(folder, "passphrase.txt"), "rb") as f:
        passphrase = f.read().split(b"\n", 1)[0]
    with open(os.path.join(folder, "MET-transfer.secret"), "rb") as f:
        data = f.read()
    ops = int.from_bytes(data[12:16], "little")
    mem_kib = int.from_bytes(data[16:20], "little")
    key = spec.argon2id.kdf(32, passphrase, data[20:36], opslimit=ops, memlimit=mem_kib * 1024)
    return nb.crypto_aead_xchacha20poly1305_ietf_decrypt(data[60:108], data[:60], data[36:60], key)


def signed(seed, method, target, body=b"", nonce_byte=0):
    nonce = base64.urlsafe_b64encode(bytes([nonce_byte]) * 16).rstrip(b"=").decode()
    text = "\n".join([method, target, "MET", str(NOW), nonce, hashlib.sha256(body).hexdigest()])
    _, secret = nb.crypto_sign_seed_keypair(seed)
    message = b"SealDrop force API request v1\x00" + text.encode()
    sig = nb.crypto_sign(message, secret)[:64]
    sig_text = base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    head = (f"{method} {target} HTTP/1.1\r\nHost: x\r\nX-SealDrop-Force: MET\r\n"
            f"X-SealDrop-Timestamp: {NOW}\r\nX-SealDrop-Nonce: {nonce}\r\n"
            f"X-SealDrop-Signature: {sig_text}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def main():
    boundary = b"sealdropfuzzboundary"
    form = multipart(boundary, [(b"csrf", b"0" * 43, None), (b"force", b"MET", None),
                                (b"what", b"He takes cash.\r\nTwice.", None),
                                (b"file", b"\x00\x01binary\r\n--sealdrop", b"photo.jpg")])
    put("multipart", "report", b"\x07" + form)
    put("multipart", "one-byte-steps", b"\x00" + form)
    put("multipart", "preamble-epilogue", b"\x10preamble\r\n" + form + b"epilogue")

    put("proxy_header", "valid", b"PROXY TCP6 fc00:dead:beef:4dad::0:1a ::1 65535 80\r\n")
    put("proxy_header", "max-circuit", b"PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 80\r\n")
    put("proxy_header", "ipv4", b"PROXY TCP4 127.0.0.1 127.0.0.1 1 80\r\n")

    seed = transfer_seed()
    put("signed_request", "list", signed(seed, "GET", "/api/v1/items"))
    with open(os.path.join(ROOT, "tests", "vectors", "bundle", "ok.receipt"), "rb") as f:
        put("signed_request", "receipt", signed(seed, "POST", "/api/v1/receipts", f.read(), 1))
    put("signed_request", "source-ref", signed(seed, "POST", "/api/v1/source-refs", b"ab" * 32, 2))

    body = b"csrf=" + b"0" * 43 + b"&codename=abacus+abdomen+abdominal+abide+abiding+ability+ablaze"
    requests = {
        "landing": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "report-form": b"GET /report HTTP/1.1\r\nHost: x\r\nCookie: sd=abc\r\n\r\n",
        "head-keepalive": b"HEAD /static/style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /login HTTP/1.1\r\nHost: x\r\n\r\n",
        "login": (b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body),
        "report": (b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary="
                   + boundary + b"\r\nContent-Length: " + str(len(form)).encode() + b"\r\n\r\n" + form),
        "chunked": (b"POST /followup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    b"Content-Type: multipart/form-data; boundary=" + boundary +
                    b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        "expect": b"POST /report HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n0123456789",
    }
    for name, raw in requests.items():
        put("http", "source-" + name, b"\x00" + raw)
    # Once taken for hangs (the harness read libFuzzer's SIGALRM as silence): a HEAD with a bad
    # target followed by garbage, and a request line broken by a backspace.
    put("http", "source-head-garbage", base64.b64decode(
        "AEhFQUQgL3N0dG1hdGljL3N0ef///wBzcyBIVFRQLzEuMQ0KSG9zdDogeA0KDQrER6vf0JOQmJZuIEhUVLPQztH1"
        "8rfOc3RvOiB4IxIKDQo="))
    # Strict HTTP (server/http/strict_http.h): each refused with 400, the request behind it unread.
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    strict = {
        "te-unknown": b"Transfer-Encoding: xchunked\r\n",
        "te-chunked-not-last": b"Transfer-Encoding: chunked, identity\r\n",
        "te-gzip-chunked": b"Transfer-Encoding: gzip, chunked\r\n",
        "te-two-fields": b"Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n",
        "te-and-length": b"Transfer-Encoding: xchunked\r\nContent-Length: 0\r\n",
        "folded": b"X-Note: one\r\n two\r\n",
        "folded-te": b"Transfer-Encoding:\r\n\tchunked\r\n",
        "two-hosts": b"Host: y\r\n",
        "host-path": b"Host: x/admin\r\n",
    }
    for name, fields in strict.items():
        host = b"" if name.startswith("host") else b"Host: x\r\n"
        put("http", "source-strict-" + name, b"\x00GET / HTTP/1.1\r\n" + host + fields + b"\r\n" + smuggled)
    put("http", "source-strict-no-host", b"\x00GET / HTTP/1.1\r\n\r\n" + smuggled)
    put("http", "source-strict-te-http10", b"\x00POST /login HTTP/1.0\r\nConnection: keep-alive\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
    list_request = signed(seed, "GET", "/api/v1/items", b"", 5)
    put("http", "api-strict-te-unknown",
        b"\x01" + list_request.replace(b"Host: x\r\n", b"Host: x\r\nTransfer-Encoding: xchunked\r\n") + smuggled)
    put("http", "api-strict-folded",
        b"\x01" + list_request.replace(b"Host: x\r\n", b"Host: x\r\nX-Note: a\r\n b\r\n") + smuggled)
    put("http", "api-bad-line-ending", b"\x01GET / HTTP/1.1\r\x08\x00GET / HTT" + b"\x00" * 32 + b"\r\n\r\n")
    put("http", "api-list", b"\x01" + signed(seed, "GET", "/api/v1/items", b"", 3))
    put("http", "api-source-ref", b"\x01" + signed(seed, "POST", "/api/v1/source-refs", b"cd" * 32, 4))

    vectors = os.path.join(ROOT, "tests", "vectors")
    for name in ("ok-one-part.sealed", "no-matching-key.sealed", "malformed-no-end-record.sealed"):
        with open(os.path.join(vectors, "envelope", name), "rb") as f:
            put("envelope", name, b"\x00" + f.read())
    # The record layer behind the AEAD (mode 1): META, PART, DATA, END records.
    part = spec.canonical_json({"name": "a.txt", "type": "text/plain"}).encode()
    plain = (spec.record(1, b'{"kind":"report"}') + spec.record(2, part) + spec.record(3, b"hello")
             + spec.record(4, b""))
    put("envelope", "records", b"\x01" + plain)
    with open(os.path.join(vectors, "directory", "directory.signed"), "rb") as f:
        put("directory", "vector.signed", f.read())
    # A bundle (docs/bundle.md) with one item: the committed one-part envelope vector.
    with open(os.path.join(vectors, "envelope", "ok-one-part.sealed"), "rb") as f:
        item = f.read()
    manifest = spec.canonical_json({
        "version": 1, "type": "pull", "force": "MET", "day": "2027-01-15",
        "items": [{"id": "0123456789abcdef0123456789abcdef", "kind": "report", "day": "2027-01-15",
                   "offset": 16, "size": len(item), "sha256": hashlib.sha256(item).hexdigest()}]}).encode()
    body = b"SDBUNDLE\x01" + bytes(7) + item + manifest
    m = 16 + len(item)
    trailer = m.to_bytes(8, "little") + len(manifest).to_bytes(8, "little") + hashlib.sha256(body).digest()
    put("bundle", "one-item.bundle", body + trailer)
    # An outbox carrying only an import receipt (docs/bundle.md §5): the committed vector.
    shutil.copyfile(os.path.join(vectors, "bundle", "ok-receipt-only.bundle"),
                    os.path.join(CORPUS, "bundle", "receipt-only.bundle"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
