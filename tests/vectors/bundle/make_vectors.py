#!/usr/bin/python3
"""Makes the bundle and import-receipt vectors of tests/vectors/bundle from docs/bundle.md alone.

    /usr/bin/python3 tests/vectors/bundle/make_vectors.py tests/vectors/bundle

Every vector is an outbox bundle without envelope items (an outbox that carries only an import
receipt is valid, docs/bundle.md §2), so the files are a few hundred bytes each, or a receipt
document as POST /api/v1/receipts takes it (docs/force-api.md §1). manifest.json gives each
file's expected outcome: "ok" or the reader's error name (docs/bundle.md §3). The output is
deterministic: running it again changes nothing.
"""

import hashlib
import json
import os
import struct
import sys

DAY = "2026-11-22"
RECEIPT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ITEMS = ["3b9aca00c0ffee0000000000000000aa", "8d2c1f00deadbeef00000000000000bb",
         "f0000000000000000000000000000001"]


def canonical(value):
    """docs/envelope.md §7.1 for ASCII values: sorted members, no white space."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def receipt(**changes):
    r = {"version": 1, "type": "import-receipt", "id": RECEIPT_ID, "force": "MET", "day": DAY,
         "items": list(ITEMS)}
    r.update(changes)
    return r


def bundle(manifest_text):
    """A bundle without items: header, manifest, trailer (docs/bundle.md §1)."""
    head = b"SDBUNDLE" + bytes([1]) + bytes(7)
    body = head + manifest_text.encode()
    return body + struct.pack("<QQ", 16, len(manifest_text.encode())) + hashlib.sha256(body).digest()


def outbox(**extra):
    m = {"version": 1, "type": "outbox", "force": "MET", "day": DAY, "items": []}
    m.update(extra)
    return m


def main(out):
    vectors = []

    def add(name, data, expect, note, **more):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        vectors.append(dict(file=name, expect=expect, note=note, **more))

    ok = canonical(receipt())
    add("ok-receipt-only.bundle", bundle(canonical(outbox(receipt=receipt()))), "ok",
        "an outbox with no items and a receipt for three items", receipt=ok)
    add("ok-empty-outbox.bundle", bundle(canonical(outbox())), "ok",
        "an outbox with no items and no receipt")
    bad = [
        ("malformed-receipt-in-pull.bundle", dict(type="pull", receipt=receipt()),
         "a pull bundle carrying a receipt"),
        ("malformed-receipt-other-force.bundle", dict(receipt=receipt(force="WMI")),
         "the receipt names another force than the manifest"),
        ("malformed-receipt-unsorted.bundle", dict(receipt=receipt(items=ITEMS[::-1])),
         "item ids out of order"),
        ("malformed-receipt-repeated-id.bundle", dict(receipt=receipt(items=[ITEMS[0], ITEMS[0]])),
         "an item id twice"),
        ("malformed-receipt-no-items.bundle", dict(receipt=receipt(items=[])),
         "a receipt for nothing"),
        ("malformed-receipt-upper-case-id.bundle",
         dict(receipt=receipt(items=[ITEMS[0].upper()])), "an item id in upper case"),
        ("malformed-receipt-short-id.bundle", dict(receipt=receipt(id=RECEIPT_ID[:30])),
         "a receipt id of 30 hex digits"),
        ("malformed-receipt-extra-member.bundle", dict(receipt=dict(receipt(), note="x")),
         "a seventh receipt member"),
        ("malformed-receipt-wrong-type.bundle", dict(receipt=receipt(type="receipt")),
         "type is not import-receipt"),
        ("malformed-receipt-version-2.bundle", dict(receipt=receipt(version=2)),
         "receipt version 2"),
        ("malformed-receipt-not-object.bundle", dict(receipt=ok), "the receipt as a string"),
    ]
    for name, extra, note in bad:
        add(name, bundle(canonical(outbox(**extra))), "malformed", note)
    spaced = canonical(outbox(receipt=receipt())).replace('"items":[', '"items": [', 1)
    add("malformed-manifest-not-canonical.bundle", bundle(spaced), "malformed",
        "a space in the manifest (its digest matches)")
    edited = bytearray(bundle(canonical(outbox(receipt=receipt()))))
    at = edited.find(ITEMS[1].encode())
    edited[at] ^= 0x01  # '8' -> '9': still a valid, sorted id, but the digest no longer matches
    add("payload-corrupt-receipt-edited.bundle", bytes(edited), "payload-corrupt",
        "one receipt id changed after the trailer was written")
    whole = bundle(canonical(outbox(receipt=receipt())))
    add("truncated.bundle", whole[:-1], "truncated", "the last byte cut off")

    # Receipt documents as the force API takes them (the request body).
    add("ok.receipt", ok.encode(), "ok", "the receipt of ok-receipt-only.bundle", receipt=ok)
    add("malformed-spaced.receipt", json.dumps(receipt(), sort_keys=True).encode(), "malformed",
        "white space between members")
    add("malformed-trailing-newline.receipt", (ok + "\n").encode(), "malformed",
        "a line end after the document")
    add("malformed-unsorted-members.receipt",
        json.dumps(receipt(), separators=(",", ":")).encode(), "malformed",
        "members in the order written, not sorted")

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"vectors": vectors}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
