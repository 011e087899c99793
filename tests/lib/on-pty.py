#!/usr/bin/python3
# on-pty.py CMD...: run CMD on a new pseudo-terminal, type each line of stdin
# into it once the previous one's output ends with the prompt "$ " (or
# after 10 s), and print everything the terminal showed; exit with CMD's
# status.  Drives an interactive ssh -tt session in pam-services.t.
import os, pty, select, sys, time
lines = sys.stdin.read().splitlines()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def read_until(pred, secs):
    global out
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                b = os.read(fd, 4096)
            except OSError:
                return False
            if not b:
                return False
            out += b
            if pred():
                return True
    return True
for line in lines:
    mark = len(out)
    read_until(lambda: out[mark:].rstrip(b" ").endswith(b"$"), 10)
    os.write(fd, line.encode() + b"\n")
read_until(lambda: False, 10)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(st))
