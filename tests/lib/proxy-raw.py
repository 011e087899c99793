#!/usr/bin/python3
# A raw proxyexec client for proxy.t (docs/ARCHITECTURE.md §4.18): sends
# what the real wrapper never would, and prints the daemon's answer as
# "KIND VALUE MESSAGE" (or "closed" when there is none).
#   proxy-raw.py SOCKET MODE
# MODE: garbage, nofds, bigheader (a header announcing 100 MB, then 100 MB),
# nul (an argument holding a NUL byte), twoalias, trunc (half a body, then
# leave), stall (half a body, then wait for the daemon's deadline), alias
# NAME (a well-formed request for NAME).
import os, socket, struct, sys

def hdr(n):
    return b"CGPX" + bytes([1, 0, 0, 0]) + struct.pack("<I", n)

def field(tag, s):
    return bytes([tag]) + struct.pack("<I", len(s)) + s

def body(alias=b"PTEST", args=(b"id",), extra=b""):
    b = field(1, alias) + field(3, os.getcwd().encode())
    for a in args:
        b += field(2, a)
    return b + extra

def answer(s):
    data = b""
    while len(data) < 12:
        try:
            d = s.recv(12 - len(data))
        except ConnectionResetError:
            d = b""
        if not d:
            print("closed")
            return
        data += d
    kind, val, n = chr(data[0]), struct.unpack("<i", data[4:8])[0], struct.unpack("<I", data[8:12])[0]
    msg = s.recv(n).decode(errors="replace") if n else ""
    print(kind, val, msg)

sock, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock)
fds = [0, 1, 2]
try:
    if mode == "garbage":
        socket.send_fds(s, [b"GET / HTTP/1.0\r\n\r\n"], fds)
    elif mode == "nofds":
        b = body()
        s.sendall(hdr(len(b)) + b)
    elif mode == "bigheader":
        socket.send_fds(s, [hdr(100 << 20)], fds)
        chunk = b"\0" * (1 << 20)
        for _ in range(100):
            s.sendall(chunk)
    elif mode == "nul":
        b = body(args=(b"id\0--evil",))
        socket.send_fds(s, [hdr(len(b))], fds); s.sendall(b)
    elif mode == "twoalias":
        b = body(extra=field(1, b"ROOTTEST"))
        socket.send_fds(s, [hdr(len(b))], fds); s.sendall(b)
    elif mode in ("trunc", "stall"):
        b = body()
        socket.send_fds(s, [hdr(len(b))], fds); s.sendall(b[: len(b) // 2])
        if mode == "trunc":
            s.close()
            print("left")
            sys.exit(0)
    elif mode == "alias":
        b = body(alias=sys.argv[3].encode(), args=[a.encode() for a in sys.argv[4:]])
        socket.send_fds(s, [hdr(len(b))], fds); s.sendall(b)
except (BrokenPipeError, ConnectionResetError):
    pass
answer(s)
