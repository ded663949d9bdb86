#!/usr/bin/env python3
"""Deterministic damage to a storage directory, shared by the server-verdict maker
(tests/fixtures/server-verdicts/make.sh, run where a real server is built) and the e2e test that
compares our tools with those verdicts (t_server_verdicts.sh), so both apply the same bytes.

  mutate.py --list DIR      print the specs for DIR (one per line; same DIR content, same list)
  mutate.py DIR SPEC...     apply each SPEC to DIR in place

SPEC is REL:flip:OFFSET:MASK (XOR the byte at OFFSET with hex MASK), REL:truncate:LEN,
REL:append:HEX, REL:prepend:HEX, REL:write:HEX (replace the content) or REL:missing.
"""
import os, sys


def files(root):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            rel = os.path.relpath(os.path.join(d, n), root)
            if n != "flock.lock":
                out.append(rel)
    return sorted(out)


def specs(root):
    out = []
    for rel in files(root):
        size = os.path.getsize(os.path.join(root, rel))
        name = os.path.basename(rel)
        if name.endswith(".bin"):
            step = max(1, size // 12)
            for i, off in enumerate(range(0, size, step)):
                out.append(f"{rel}:flip:{off}:{'01' if i % 2 == 0 else '80'}")
            if size > 1:
                out.append(f"{rel}:truncate:{size - 1}")
                out.append(f"{rel}:truncate:{size // 2}")
            out.append(f"{rel}:append:00000000")
            if name == "index.bin":
                out.append(f"{rel}:missing")
        elif name == "metadata.json":
            step = max(1, size // 8)
            for i, off in enumerate(range(0, size, step)):
                out.append(f"{rel}:flip:{off}:{'01' if i % 2 == 0 else '20'}")
            out.append(f"{rel}:append:000000")
            out.append(f"{rel}:prepend:efbbbf")
            out.append(f"{rel}:missing")
        elif name == "parts.json":
            with open(os.path.join(root, rel), "rb") as f:
                text = f.read()
            out.append(f"{rel}:append:00")
            out.append(f"{rel}:prepend:efbbbf")
            out.append(f"{rel}:write:{b'null'.hex()}")
            if text.startswith(b"{"):
                out.append(f"{rel}:write:{text.replace(b'Small', b'Smqll').hex()}")
                out.append(f"{rel}:write:{b'{}'.hex()}")
                first = text.split(b'"')[3] if text.count(b'"') >= 4 else b""
                if first and first not in (b"Big",):
                    twice = text.replace(first, first + b'","' + first, 1)   # a part listed twice
                    out.append(f"{rel}:write:{twice.hex()}")
            elif text != b"[]":
                out.append(f"{rel}:write:{b'[]'.hex()}")
    return out


def apply(root, spec):
    rel, mode, *args = spec.split(":")
    path = os.path.join(root, rel)
    if mode == "missing":
        os.unlink(path)
        return
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if mode == "flip":
        off, mask = int(args[0]), int(args[1], 16)
        data[off] ^= mask
    elif mode == "truncate":
        data = data[: int(args[0])]
    elif mode == "append":
        data += bytes.fromhex(args[0])
    elif mode == "prepend":
        data = bytearray(bytes.fromhex(args[0])) + data
    elif mode == "write":
        data = bytearray(bytes.fromhex(args[0]))
    else:
        raise SystemExit(f"unknown mode in {spec}")
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--list":
        print("\n".join(specs(sys.argv[2])))
    elif len(sys.argv) >= 3:
        for s in sys.argv[2:]:
            apply(sys.argv[1], s)
    else:
        raise SystemExit(__doc__)
