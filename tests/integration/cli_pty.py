"""A program run in a real pseudo-terminal, driven like a user at a keyboard
(for ember-cli's REPL: line editing, completion, hints, history)."""

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time


class PtyProcess(object):
    """Runs argv on a fresh pty (200x50, TERM=xterm). Everything the program
    writes accumulates in .output; expect() consumes it in order."""

    def __init__(self, argv, env=None, cols=200, rows=50):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its stdin/stdout/stderr are the pty
            try:
                os.execve(argv[0], argv, env if env is not None else os.environ)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = b""
        self.pos = 0
        self.status = None

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            raise EOFError("the program closed its terminal; output so far:\n%r" % self.output[-2000:])
        self.output += chunk
        return True

    def send(self, keys):
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def expect(self, pattern, timeout=10.0):
        """Waits for `pattern` (bytes literal, or a compiled bytes regex) in
        the output after the previous match; returns the text up to and
        including the match, and moves past it."""
        deadline = time.time() + timeout
        while True:
            if isinstance(pattern, bytes):
                i = self.output.find(pattern, self.pos)
                end = i + len(pattern) if i >= 0 else -1
            else:
                m = pattern.search(self.output, self.pos)
                end = m.end() if m else -1
            if end >= 0:
                text = self.output[self.pos:end]
                self.pos = end
                return text
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("%r not seen within %.0fs; output since the last match:\n%r"
                                     % (pattern, timeout, self.output[self.pos:][-3000:]))
            try:
                self._read(min(left, 0.2))
            except EOFError:
                raise AssertionError("%r not seen before the program ended; output since the last match:\n%r"
                                     % (pattern, self.output[self.pos:][-3000:]))

    def wait(self, timeout=10.0):
        """Waits for the program to exit (reading its output meanwhile); returns its exit status."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            try:
                self._read(0.05)
            except EOFError:
                time.sleep(0.02)
        raise AssertionError("the program did not exit within %.0fs" % timeout)

    def close(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)


def strip_ansi(data):
    return re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", data)
