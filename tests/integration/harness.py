"""Shared helpers for ember's integration tests (stdlib + redis-py only).

Target selection (environment):
  EMBER_TEST_TARGET=redis   run the tests against /usr/bin/redis-server (the spec), started with
                            --save "" --appendonly no;
                            `shards` is ignored
  otherwise                 run them against $EMBER_SERVER (default: build/bin/ember-server
                            next to this checkout), adding --shards N when asked

Every test that passes against redis-server 7.0 is behaviour ember must match.

  with start_server(["--maxclients", "10"], shards=4) as srv:
      r = srv.client()            # redis.Redis (RESP2, bytes)
      c = srv.raw(protocol=3)     # RawClient after HELLO 3
      c.send("GET", "k"); c.read()
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EMBER = os.path.normpath(os.path.join(HERE, "..", "..", "build", "bin", "ember-server"))
REDIS_SERVER = "/usr/bin/redis-server"

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def is_ember():
    return os.environ.get("EMBER_TEST_TARGET", "ember").lower() != "redis"


def is_redis():
    return not is_ember()


ember_only = unittest.skipUnless(is_ember(), "ember-only behaviour")

# Redis 7.0's common error replies, as the tests compare them.
SYNTAX = "ERR syntax error"
NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
NUMKEYS = "ERR numkeys should be greater than 0"


def arity(cmd):
    return "ERR wrong number of arguments for '%s' command" % cmd
redis_only = unittest.skipUnless(is_redis(), "redis-server-only behaviour")


def ember_binary():
    return os.environ.get("EMBER_SERVER") or DEFAULT_EMBER


def module_path(name):
    """The built module `name` (vector, example, ...): build/modules/<name>.so."""
    default = os.path.join(HERE, "..", "..", "build", "modules")
    return os.path.normpath(os.path.join(os.environ.get("EMBER_MODULE_DIR") or default, name + ".so"))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------
# Raw RESP2/RESP3 client
# ---------------------------------------------------------------------------

class RespError(object):
    """An error reply (- or !). Returned by RawClient.read(), never raised."""

    def __init__(self, message):
        self.message = message if isinstance(message, str) else message.decode("utf-8", "replace")

    @property
    def code(self):
        return self.message.split(" ", 1)[0]

    def __eq__(self, other):
        if isinstance(other, RespError):
            return self.message == other.message
        return NotImplemented

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return "RespError(%r)" % self.message


class RespNull(object):
    """The RESP3 null (_). RESP2 null bulk/array ($-1, *-1) are read as None."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "RESP3_NULL"


RESP3_NULL = RespNull()


class RespMap(dict):
    """A RESP3 map (%). Unhashable keys (arrays) are stored as tuples.
    .pairs keeps the original order as a list of (key, value)."""

    def __init__(self, pairs):
        dict.__init__(self)
        self.pairs = pairs
        for k, v in pairs:
            self[_hashable(k)] = v

    def __repr__(self):
        return "RespMap(%s)" % dict.__repr__(self)


class RespSet(list):
    """A RESP3 set (~), kept as a list in wire order."""

    def __repr__(self):
        return "RespSet(%s)" % list.__repr__(self)


class RespPush(list):
    """A RESP3 push (>)."""

    def __repr__(self):
        return "RespPush(%s)" % list.__repr__(self)


class RespDouble(float):
    """A RESP3 double (,)."""

    def __repr__(self):
        return "RespDouble(%s)" % float.__repr__(self)


class RespBigNumber(int):
    """A RESP3 big number (()."""

    def __repr__(self):
        return "RespBigNumber(%s)" % int.__repr__(self)


class RespVerbatim(bytes):
    """A RESP3 verbatim string (=); .format is e.g. b'txt'."""

    def __new__(cls, fmt, data):
        obj = bytes.__new__(cls, data)
        obj.format = fmt
        return obj

    def __repr__(self):
        return "RespVerbatim(%r, %s)" % (self.format, bytes.__repr__(self))


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((_hashable(k), _hashable(x)) for k, x in v.items()))
    return v


class ConnectionClosed(Exception):
    pass


class RawClient(object):
    """A minimal RESP client over a plain socket.

    read() returns:
      +simple          -> str
      -error / !blob   -> RespError (returned, not raised)
      :int             -> int
      $bulk            -> bytes;  $-1 -> None
      *array           -> list;   *-1 -> None
      _                -> RESP3_NULL (falsy, distinct from None)
      ,double          -> RespDouble (float subclass)
      #t / #f          -> True / False
      (bignum          -> RespBigNumber (int subclass)
      =verbatim        -> RespVerbatim (bytes subclass with .format)
      %map             -> RespMap (dict subclass, .pairs in wire order)
      ~set             -> RespSet (list subclass)
      >push            -> RespPush (list subclass)
      |attribute       -> stored in .last_attributes, then the next value is returned
    """

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.last_attributes = None

    # -- sending --------------------------------------------------------
    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            elif isinstance(a, float):
                a = repr(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def send(self, *args):
        self.sock.sendall(self.encode(*args))

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def execute(self, *args):
        self.send(*args)
        return self.read()

    def hello3(self):
        reply = self.execute("HELLO", "3")
        assert isinstance(reply, RespMap), reply
        return reply

    # -- receiving ------------------------------------------------------
    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise ConnectionClosed("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = self.buf[:i]
                self.buf = self.buf[i + 2:]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data = self.buf[:n]
        if self.buf[n:n + 2] != b"\r\n":
            raise ValueError("bulk payload not followed by CRLF: %r" % self.buf[n:n + 2])
        self.buf = self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        if not line:
            raise ValueError("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode("utf-8", "replace")
        if t == b"-":
            return RespError(rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            return self._exact(n)
        if t == b"*":
            n = int(rest)
            if n < 0:
                return None
            return [self.read() for _ in range(n)]
        if t == b"_":
            return RESP3_NULL
        if t == b",":
            s = rest.decode().lower()
            if s in ("inf", "+inf"):
                return RespDouble("inf")
            if s == "-inf":
                return RespDouble("-inf")
            return RespDouble(s)
        if t == b"#":
            if rest == b"t":
                return True
            if rest == b"f":
                return False
            raise ValueError("bad boolean %r" % rest)
        if t == b"(":
            return RespBigNumber(int(rest))
        if t == b"!":
            return RespError(self._exact(int(rest)))
        if t == b"=":
            data = self._exact(int(rest))
            return RespVerbatim(data[:3], data[4:])
        if t == b"%":
            n = int(rest)
            pairs = []
            for _ in range(n):
                k = self.read()
                v = self.read()
                pairs.append((k, v))
            return RespMap(pairs)
        if t == b"~":
            return RespSet(self.read() for _ in range(int(rest)))
        if t == b">":
            return RespPush(self.read() for _ in range(int(rest)))
        if t == b"|":
            n = int(rest)
            pairs = []
            for _ in range(n):
                k = self.read()
                v = self.read()
                pairs.append((k, v))
            self.last_attributes = RespMap(pairs)
            return self.read()
        raise ValueError("unknown RESP type byte in line %r" % line)

    def read_raw(self, timeout=2.0):
        """Whatever bytes arrive within `timeout` (at least one recv)."""
        self.sock.settimeout(timeout)
        data = self.buf
        self.buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                self.sock.settimeout(0.2)
        except (socket.timeout, ConnectionResetError):
            pass
        finally:
            self.sock.settimeout(10.0)
        return data

    def read_raw_until_closed(self, timeout=10.0):
        """Read until the server closes the connection; returns the bytes.
        Raises AssertionError if still open after `timeout` seconds."""
        deadline = time.time() + timeout
        data = self.buf
        self.buf = b""
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("connection still open after %.1fs (got %r)" % (timeout, data[:200]))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        self.sock.settimeout(10.0)
        return data

    def is_closed(self, timeout=2.0):
        """True if the server closed the connection within `timeout` (pending data is discarded)."""
        try:
            self.read_raw_until_closed(timeout)
            return True
        except AssertionError:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------
# Server process management
# ---------------------------------------------------------------------------

_live_servers = []


def _kill_leftovers():
    for s in list(_live_servers):
        try:
            s.proc.kill()
            s.proc.wait(5)
        except Exception:
            pass


atexit.register(_kill_leftovers)


def _answers(reply):
    """A server that answers PING, or asks for a password first, is up."""
    return reply == "PONG" or (isinstance(reply, RespError) and reply.message.startswith("NOAUTH"))


class Server(object):
    def __init__(self, extra_args=(), shards=None, env=None):
        self.extra_args = [str(a) for a in extra_args]
        self.shards = shards
        self.env = dict(os.environ, **env) if env else None
        self.proc = None
        self.port = None
        self.logfile = None
        self._start()

    def _command(self, port):
        if is_ember():
            binary = ember_binary()
            if not os.path.exists(binary):
                raise RuntimeError("ember server binary not found at %s (set EMBER_SERVER, "
                                   "or EMBER_TEST_TARGET=redis to run against redis-server)" % binary)
            cmd = [binary, "--port", str(port)]
            if "--bind" not in self.extra_args:
                cmd += ["--bind", "127.0.0.1"]
            if self.shards is not None:
                cmd += ["--shards", str(self.shards)]
            # As for redis-server: no snapshot at shutdown unless a test asks.
            if "--save" not in self.extra_args:
                cmd += ["--save", ""]
        else:
            cmd = [REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no"]
            if "--bind" not in self.extra_args:
                cmd += ["--bind", "127.0.0.1"]
        return cmd + self.extra_args

    def _start(self):
        last_err = None
        for _attempt in range(3):
            port = free_port()
            cmd = self._command(port)
            self.logfile = tempfile.NamedTemporaryFile(prefix="ember-it-%d-" % port, suffix=".log", delete=False)
            self.workdir = tempfile.mkdtemp(prefix="ember-it-")
            self.proc = subprocess.Popen(cmd, stdout=self.logfile, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir, env=self.env)
            self.logfile.close()  # the child keeps its own descriptor
            _live_servers.append(self)
            self.port = port
            try:
                self._wait_ready()
                return
            except Exception as e:  # retry on a port race, report otherwise
                last_err = e
                if self.proc.poll() is None:
                    self.proc.kill()
                self.proc.wait()
                _live_servers.remove(self)
                last_log = self.log_tail()
                self._cleanup()
        self.proc = None
        raise RuntimeError("server did not start: %s\n--- server log ---\n%s" % (last_err, last_log))

    def _wait_ready(self):
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with code %s" % self.proc.returncode)
            try:
                with RawClient("127.0.0.1", self.port, timeout=1.0) as c:
                    if _answers(c.execute("PING")):
                        return
            except (OSError, ConnectionClosed, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError("no PONG within %.0fs" % START_TIMEOUT)

    def log_tail(self, n=4000):
        try:
            with open(self.logfile.name, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    # -- clients --------------------------------------------------------
    def client(self, protocol=2, decode=False, **kw):
        if protocol != 2:
            raise NotImplementedError("redis-py 4.3.4 has no RESP3: use server.raw(protocol=3)")
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=decode, **kw)

    def raw(self, protocol=2, timeout=10.0):
        c = RawClient("127.0.0.1", self.port, timeout=timeout)
        if protocol == 3:
            c.hello3()
        return c

    def is_alive(self):
        if self.proc.poll() is not None:
            return False
        try:
            with RawClient("127.0.0.1", self.port, timeout=5.0) as c:
                return _answers(c.execute("PING"))
        except (OSError, ConnectionClosed):
            return False

    def stop(self):
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if self in _live_servers:
            _live_servers.remove(self)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                tail = self.log_tail()
                self._cleanup()
                raise AssertionError("server did not exit within %.0fs of SIGTERM\n%s" % (STOP_TIMEOUT, tail))
        code = proc.returncode
        tail = self.log_tail()
        self._cleanup()
        if is_ember() and code != 0:
            raise AssertionError("ember-server exited with code %s after SIGTERM\n--- server log ---\n%s"
                                 % (code, tail))

    def _cleanup(self):
        try:
            os.unlink(self.logfile.name)
        except OSError:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ReferenceRedis(object):
    """A redis-server 7.0 on a free port, whatever the target: the spec a test compares with."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ember-it-ref-")
        self.port = free_port()
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                                      "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.time() + START_TIMEOUT
        while True:
            try:
                with RawClient("127.0.0.1", self.port, timeout=1.0) as c:
                    if c.execute("PING") == "PONG":
                        return
            except (OSError, ConnectionClosed, ValueError):
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("reference redis-server did not start")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_server(extra_args=(), shards=None, env=None):
    return Server(extra_args=extra_args, shards=shards, env=env)


def run_server_to_exit(extra_args=(), shards=None, timeout=START_TIMEOUT):
    """Runs the server binary with extra_args where it is expected to stop by
    itself (a failed start-up) and returns (exit code, everything it logged).
    A server still running after `timeout` seconds is killed and reported as
    (None, log)."""
    port = free_port()
    if is_ember():
        cmd = [ember_binary(), "--port", str(port), "--bind", "127.0.0.1"]
        if shards is not None:
            cmd += ["--shards", str(shards)]
    else:
        cmd = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    cmd += [str(a) for a in extra_args]
    workdir = tempfile.mkdtemp(prefix="ember-it-")
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              cwd=workdir, timeout=timeout)
        return proc.returncode, proc.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode("utf-8", "replace") if e.stdout else ""
        return None, out
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# unittest glue
# ---------------------------------------------------------------------------

class ServerTestCase(unittest.TestCase):
    """One server per TestCase class; FLUSHALL before each test.
    self.r is a bytes redis.Redis client, self.s the Server."""

    server_args = ()
    shards = None

    @classmethod
    def setUpClass(cls):
        cls.server = start_server(extra_args=cls.server_args, shards=cls.shards)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.s = self.server
        self.r = self.server.client()
        self.r.flushall()
        self._raw = None

    def tearDown(self):
        self.r.close()
        if self._raw is not None:
            self._raw.close()

    @property
    def c(self):
        """A raw RESP2 client on the class's server (lazily connected, closed in tearDown)."""
        if self._raw is None:
            self._raw = self.server.raw()
        return self._raw

    def cmd(self, *args):
        """Run one command on the raw client and return its parsed reply."""
        return self.c.execute(*args)

    def assertCmdError(self, expected, *args):
        """Assert that the command `args` replies with exactly the error line `expected`
        (full text as on the wire, e.g. "ERR syntax error")."""
        reply = self.c.execute(*args)
        self.assertIsInstance(reply, RespError, "expected error %r for %r, got %r" % (expected, args, reply))
        self.assertEqual(reply.message, expected, "command %r" % (args,))

    def assertCmdOk(self, *args):
        self.assertEqual(self.c.execute(*args), "OK", "command %r" % (args,))


def main():
    unittest.main(verbosity=2)
