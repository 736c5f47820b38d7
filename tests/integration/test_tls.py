"""The TLS module (build/modules/tls.so): TLS and mTLS on tls-port beside plain
TCP, through real clients (redis-cli --tls, redis-benchmark --tls, python3-redis
with ssl=True, ember-cli --tls); certificates are made here with `openssl`.

Covers mTLS accepted and refused (no certificate, another CA, an expired
certificate), tls-auth-clients optional, the client's subject in CLIENT LIST,
CONFIG SET of the certificate under traffic, plain text and garbage on the TLS
port, a handshake that never completes, a handshake storm while another
client is served, `port 0`, and tls-* directives without the module."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redis

from harness import (ember_binary, free_port, is_ember, module_path, run_server_to_exit, start_server)
from modutil import wait_until

TLS = module_path("tls")
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"


def ember_cli_binary():
    if os.environ.get("EMBER_CLI"):
        return os.environ["EMBER_CLI"]
    return os.path.join(os.path.dirname(ember_binary()), "ember-cli")


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


class Certs(object):
    """A CA, a server certificate (localhost, 127.0.0.1), a second server
    certificate for reloads, client certificates (good, expired, of another
    CA), and an encrypted copy of the server key."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ember-tls-")
        self._ca("ca", "Ember Test CA")
        self._ca("otherca", "Other CA")
        san = self.path("san.ext")
        with open(san, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        self._leaf("server", "localhost", "ca", extfile=san)
        self._leaf("server2", "reloaded", "ca", extfile=san)
        self._leaf("client", "client one/O=ember", "ca")
        self._leaf("expired", "expired client", "ca", days="-1")
        self._leaf("stranger", "stranger", "otherca")
        openssl("pkey", "-in", "server.key", "-out", "server-enc.key", "-aes256", "-passout", "pass:s3cret",
                cwd=self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _key(self, name):
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", name + ".key",
                cwd=self.dir)

    def _ca(self, name, cn):
        self._key(name)
        openssl("req", "-x509", "-new", "-key", name + ".key", "-out", name + ".crt", "-days", "3",
                "-subj", "/CN=" + cn, cwd=self.dir)

    def _leaf(self, name, cn, ca, days="2", extfile=None):
        self._key(name)
        openssl("req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=self.dir)
        args = ["x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", name + ".crt", "-days", days]
        if extfile:
            args += ["-extfile", extfile]
        openssl(*args, cwd=self.dir)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def tls_args(certs, port, auth="yes"):
    return ["--loadmodule", TLS, "--tls-port", str(port), "--tls-cert-file", certs.path("server.crt"),
            "--tls-key-file", certs.path("server.key"), "--tls-ca-cert-file", certs.path("ca.crt"),
            "--tls-auth-clients", auth]


@unittest.skipUnless(is_ember(), "the TLS module is ember's")
class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = Certs()
        cls.tls_port = free_port()
        cls.server = start_server(tls_args(cls.certs, cls.tls_port), shards=2)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.certs.remove()

    def setUp(self):
        self.plain = self.server.client()

    def tearDown(self):
        self.plain.close()
        self.assertTrue(self.server.is_alive())

    # -- helpers ------------------------------------------------------------
    def context(self, cert="client", ca="ca", maximum=None):
        ctx = ssl.create_default_context(cafile=self.certs.path(ca + ".crt"))
        if cert:
            ctx.load_cert_chain(self.certs.path(cert + ".crt"), self.certs.path(cert + ".key"))
        if maximum:
            ctx.maximum_version = maximum
        return ctx

    def tls_client(self, cert="client"):
        kw = {}
        if cert:
            kw = dict(ssl_certfile=self.certs.path(cert + ".crt"), ssl_keyfile=self.certs.path(cert + ".key"))
        return redis.Redis(host="127.0.0.1", port=self.tls_port, ssl=True, ssl_ca_certs=self.certs.path("ca.crt"),
                           socket_timeout=10, **kw)

    def tls_socket(self, cert="client", maximum=None):
        raw = socket.create_connection(("127.0.0.1", self.tls_port), timeout=10)
        return self.context(cert, maximum=maximum).wrap_socket(raw, server_hostname="localhost")

    def exchange(self, sock, payload=b"*1\r\n$4\r\nPING\r\n"):
        """Sends a command over an established TLS socket; the reply, or b"" when the server closed it."""
        sock.sendall(payload)
        return sock.recv(4096)

    def refused(self, cert):
        """A client with `cert` cannot run a command: the handshake fails, or the
        server closes the connection right after it (TLS 1.3 sends the verdict late)."""
        try:
            s = self.tls_socket(cert)
        except (ssl.SSLError, OSError):
            return True
        try:
            return self.exchange(s) == b""
        except (ssl.SSLError, OSError):
            return True
        finally:
            s.close()

    def wait_log(self, text):
        wait_until(lambda: text in self.server.log_tail(20000), "log line %r" % text)

    def cli(self, binary, *args):
        base = [binary, "-p", str(self.tls_port), "--tls", "--cacert", self.certs.path("ca.crt"),
                "--cert", self.certs.path("client.crt"), "--key", self.certs.path("client.key")]
        return subprocess.run(base + list(args), capture_output=True, timeout=60, stdin=subprocess.DEVNULL)

    # -- real clients -------------------------------------------------------
    def test_python_redis_ssl(self):
        r = self.tls_client()
        self.assertTrue(r.set("k", "over tls"))
        self.assertEqual(r.get("k"), b"over tls")
        # Plain TCP keeps serving beside it, on the same keyspace.
        self.assertEqual(self.plain.get("k"), b"over tls")
        r.close()

    def test_redis_cli_tls(self):
        p = self.cli(REDIS_CLI, "SET", "rc", "v")
        self.assertEqual(p.stdout.strip(), b"OK", p.stderr)
        self.assertEqual(self.cli(REDIS_CLI, "GET", "rc").stdout.strip(), b"v")

    def test_ember_cli_tls(self):
        p = self.cli(ember_cli_binary(), "SET", "ec", "v")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, b"OK"), p.stderr)
        self.assertEqual(self.cli(ember_cli_binary(), "GET", "ec").stdout.strip(), b"v")
        p = self.cli(ember_cli_binary(), "benchmark", "-t", "set,get", "-n", "2000", "-c", "8", "-P", "4", "-q")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(b"GET:", p.stdout)

    def test_ember_cli_checks_the_server_name(self):
        p = self.cli(ember_cli_binary(), "--sni", "not-this-server", "PING")
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"hostname mismatch", p.stderr)
        p = self.cli(ember_cli_binary(), "--sni", "not-this-server", "--insecure", "PING")
        self.assertEqual(p.stdout.strip(), b"PONG", p.stderr)

    def test_redis_benchmark_tls(self):
        p = subprocess.run([REDIS_BENCHMARK, "-p", str(self.tls_port), "--tls", "--cacert", self.certs.path("ca.crt"),
                            "--cert", self.certs.path("client.crt"), "--key", self.certs.path("client.key"),
                            "-t", "set,get", "-n", "2000", "-c", "10", "-q"],
                           capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"GET: ", p.stdout)
        self.assertIn(b"requests per second", p.stdout)

    def test_tls12_and_tls13(self):
        for maximum, name in ((ssl.TLSVersion.TLSv1_2, b"TLSv1.2"), (None, b"TLSv1.3")):
            with self.tls_socket(maximum=maximum) as s:
                info = self.exchange(s, b"*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n")
                self.assertIn(b" tls-version=" + name + b" ", info)

    # -- mTLS ---------------------------------------------------------------
    def test_client_subject_in_client_list(self):
        r = self.tls_client()
        r.client_setname("tlsclient")
        info = r.execute_command("CLIENT", "INFO").decode()
        self.assertIn(" transport=tls ", info)
        self.assertIn(" tls-client-subject=O=ember,CN=client\\20one", info)
        listing = self.plain.execute_command("CLIENT", "LIST").decode().splitlines()
        line = [l for l in listing if "name=tlsclient" in l]
        self.assertEqual(len(line), 1, listing)
        self.assertIn("tls-client-subject=O=ember,CN=client\\20one", line[0])
        self.assertTrue(all("transport=" not in l for l in listing if "name=tlsclient" not in l))
        r.close()

    def test_client_without_certificate_is_refused(self):
        self.assertTrue(self.refused(None))
        self.wait_log("peer did not return a certificate")

    def test_certificate_of_another_ca_is_refused(self):
        self.assertTrue(self.refused("stranger"))
        self.wait_log("client certificate: unable to get local issuer certificate")

    def test_expired_certificate_is_refused(self):
        self.assertTrue(self.refused("expired"))
        self.wait_log("client certificate: certificate has expired")

    def test_auth_clients_optional_and_no(self):
        try:
            self.plain.config_set("tls-auth-clients", "optional")
            with self.tls_socket(cert=None) as s:
                info = self.exchange(s, b"*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n")
                self.assertIn(b" tls-client-subject=\n", info)
            with self.tls_socket() as s:
                self.assertIn(b"CN=client\\20one", self.exchange(s, b"*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n"))
            # optional still checks a certificate that is offered.
            self.assertTrue(self.refused("stranger"))
            self.plain.config_set("tls-auth-clients", "no")
            with self.tls_socket(cert=None) as s:
                self.assertEqual(self.exchange(s), b"+PONG\r\n")
        finally:
            self.plain.config_set("tls-auth-clients", "yes")
        self.assertEqual(self.plain.config_get("tls-auth-clients"), {"tls-auth-clients": "yes"})
        self.assertTrue(self.refused(None))

    # -- CONFIG SET, reload -------------------------------------------------
    def peer_cn(self):
        with self.tls_socket() as s:
            subject = dict(x[0] for x in s.getpeercert()["subject"])
            return subject["commonName"]

    def test_reload_certificate_under_traffic(self):
        errors, served = [], [0]
        stop = threading.Event()
        old = self.tls_client()
        old.ping()

        def traffic():
            r = self.tls_client()
            try:
                while not stop.is_set():
                    r.set("traffic", served[0])
                    if r.get("traffic") != str(served[0]).encode():
                        errors.append("wrong value")
                    served[0] += 1
            except Exception as e:  # reported below
                errors.append(repr(e))
            finally:
                r.close()

        t = threading.Thread(target=traffic)
        t.start()
        try:
            wait_until(lambda: served[0] > 20, "traffic before the reload")
            self.assertEqual(self.peer_cn(), "localhost")
            self.plain.config_set("tls-cert-file", self.certs.path("server2.crt"))
            self.plain.config_set("tls-key-file", self.certs.path("server2.key"))
            self.assertEqual(self.peer_cn(), "reloaded")
            at_reload = served[0]
            wait_until(lambda: served[0] > at_reload + 20, "traffic after the reload")
            # Both in one CONFIG SET: the pair changes together.
            self.assertTrue(self.plain.execute_command("CONFIG", "SET", "tls-cert-file", self.certs.path("server.crt"),
                                                       "tls-key-file", self.certs.path("server.key")))
            self.assertEqual(self.peer_cn(), "localhost")
        finally:
            stop.set()
            t.join()
        self.assertEqual(errors, [])
        # A connection opened before the reloads goes on.
        self.assertTrue(old.ping())
        old.close()
        self.wait_log("TLS configuration reloaded")

    def test_config_set_refuses_what_does_not_load(self):
        with self.assertRaises(redis.ResponseError) as e:
            self.plain.config_set("tls-cert-file", self.certs.path("missing.crt"))
        self.assertIn("Failed to load certificate", str(e.exception))
        with self.assertRaises(redis.ResponseError) as e:
            self.plain.config_set("tls-protocols", "TLSv9")
        self.assertIn("Invalid tls-protocols specified", str(e.exception))
        with self.assertRaises(redis.ResponseError) as e:
            self.plain.config_set("tls-ciphers", "NO-SUCH-CIPHER")
        self.assertIn("Failed to configure ciphers", str(e.exception))
        with self.assertRaises(redis.ResponseError) as e:
            self.plain.config_set("tls-port", "1")
        self.assertIn("can't set immutable config", str(e.exception))
        self.assertEqual(self.plain.config_get("tls-cert-file")["tls-cert-file"], self.certs.path("server.crt"))
        self.assertEqual(self.peer_cn(), "localhost")

    def test_protocols(self):
        try:
            self.plain.config_set("tls-protocols", "TLSv1.3")
            with self.assertRaises((ssl.SSLError, OSError)):
                self.tls_socket(maximum=ssl.TLSVersion.TLSv1_2).close()
            with self.tls_socket() as s:
                self.assertEqual(self.exchange(s), b"+PONG\r\n")
        finally:
            self.plain.config_set("tls-protocols", "")

    def test_encrypted_key(self):
        try:
            # The passphrase first: until the key follows, the old pair stays.
            self.plain.execute_command("CONFIG", "SET", "tls-key-file-pass", "s3cret",
                                       "tls-key-file", self.certs.path("server-enc.key"))
            with self.tls_socket() as s:
                self.assertEqual(self.exchange(s), b"+PONG\r\n")
        finally:
            self.plain.execute_command("CONFIG", "SET", "tls-key-file", self.certs.path("server.key"),
                                       "tls-key-file-pass", "")

    # -- bad input ----------------------------------------------------------
    def test_plain_text_on_the_tls_port(self):
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=10) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            self.assertEqual(s.recv(100), b"")
        self.wait_log("Error accepting a client connection")

    def test_garbage_bytes(self):
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=10) as s:
            s.sendall(bytes(range(256)) * 8)
            try:
                # An alert at most, then the end of the stream.
                while s.recv(4096):
                    pass
            except ConnectionResetError:
                pass
        with self.tls_socket() as s:
            self.assertEqual(self.exchange(s), b"+PONG\r\n")

    def test_handshake_that_never_completes(self):
        try:
            self.plain.config_set("tls.handshake-timeout", "200")
            with socket.create_connection(("127.0.0.1", self.tls_port), timeout=10) as s:
                # A client that connects and says nothing is cut off.
                self.assertEqual(s.recv(100), b"")
            self.wait_log("handshake timed out")
            # A connection whose handshake finished is not.
            with self.tls_socket() as s:
                time.sleep(0.5)
                self.assertEqual(self.exchange(s), b"+PONG\r\n")
        finally:
            self.plain.config_set("tls.handshake-timeout", "10000")

    def test_handshake_storm_does_not_stall_connected_clients(self):
        measured = self.tls_client()
        measured.set("storm", "calm")
        socks, served = [], 0
        try:
            # Hundreds of handshakes begun at once, each left where the server
            # waits for the client's next flight.
            ctx = self.context()
            for _ in range(300):
                raw = socket.create_connection(("127.0.0.1", self.tls_port), timeout=10)
                s = ctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
                s.setblocking(False)
                try:
                    s.do_handshake()
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                socks.append(s)
                if len(socks) % 10 == 0:
                    self.assertEqual(measured.get("storm"), b"calm")
                    served += 1
            self.assertEqual(served, 30)
            # Then all of them finish, while the measured client goes on.
            pending = list(socks)
            deadline = time.time() + 60
            while pending and time.time() < deadline:
                still = []
                for s in pending:
                    try:
                        s.do_handshake()
                    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        still.append(s)
                pending = still
                self.assertEqual(measured.get("storm"), b"calm")
            self.assertEqual(pending, [])
        finally:
            for s in socks:
                s.close()
            measured.close()


@unittest.skipUnless(is_ember(), "the TLS module is ember's")
class TlsStartupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = Certs()

    @classmethod
    def tearDownClass(cls):
        cls.certs.remove()

    def test_tls_port_without_the_module(self):
        rc, out = run_server_to_exit(["--tls-port", str(free_port())])
        self.assertEqual(rc, 1, out)
        self.assertIn("'tls-port' needs the TLS module", out)
        self.assertIn("tls.so", out)

    def test_port_0_without_a_transport(self):
        p = subprocess.run([ember_binary(), "--port", "0"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        rc, out = p.returncode, (p.stdout + p.stderr).decode()
        self.assertEqual(rc, 1, out)
        self.assertIn("Configured to not listen anywhere", out)

    def test_port_0_serves_tls_only(self):
        tls_port = free_port()
        args = [ember_binary(), "--port", "0", "--bind", "127.0.0.1"] + tls_args(self.certs, tls_port, auth="no")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            def ping():
                try:
                    r = redis.Redis(host="127.0.0.1", port=tls_port, ssl=True,
                                    ssl_ca_certs=self.certs.path("ca.crt"), socket_timeout=5)
                    return r.ping()
                except (redis.ConnectionError, OSError):
                    return False
            wait_until(ping, "the TLS port")
            r = redis.Redis(host="127.0.0.1", port=tls_port, ssl=True, ssl_ca_certs=self.certs.path("ca.crt"))
            self.assertEqual(r.config_get("port"), {"port": "0"})
            r.close()
        finally:
            proc.terminate()
            out = proc.communicate(timeout=10)[0]
        self.assertEqual(proc.returncode, 0, out)

    def test_missing_certificate_file_stops_startup(self):
        args = tls_args(self.certs, free_port())
        args[args.index("--tls-cert-file") + 1] = self.certs.path("missing.crt")
        rc, out = run_server_to_exit(args)
        self.assertEqual(rc, 1, out)
        self.assertIn("Failed to load certificate", out)

    def test_module_loadex_at_run_time(self):
        # CONFIG tls-port listens from inside the config update.
        tls_port = free_port()
        with start_server(["--enable-module-command", "yes"]) as srv:
            r = srv.client()
            self.assertTrue(r.execute_command("MODULE", "LOADEX", TLS, "CONFIG", "tls-port", str(tls_port),
                                              "CONFIG", "tls-cert-file", self.certs.path("server.crt"),
                                              "CONFIG", "tls-key-file", self.certs.path("server.key"),
                                              "CONFIG", "tls-auth-clients", "no"))
            t = redis.Redis(host="127.0.0.1", port=tls_port, ssl=True, ssl_ca_certs=self.certs.path("ca.crt"),
                            socket_timeout=10)
            self.assertTrue(t.set("loaded", "late"))
            self.assertEqual(r.get("loaded"), b"late")
            self.assertEqual(r.info("tls")["tls_configured"], 1)
            with self.assertRaises(redis.ResponseError) as e:
                r.execute_command("MODULE", "UNLOAD", "tls")
            self.assertIn("hooks into the server", str(e.exception))
            t.close()
            r.close()

    def test_module_parameters_from_the_config_file(self):
        tls_port = free_port()
        conf = os.path.join(self.certs.dir, "ember-tls.conf")
        with open(conf, "w") as f:
            f.write("tls-port = %d\ntls-cert-file = %s\ntls-key-file = %s\ntls-auth-clients = no\n"
                    "loadmodule = %s\n" % (tls_port, self.certs.path("server.crt"), self.certs.path("server.key"), TLS))
        with start_server(["--config", conf]) as srv:
            r = redis.Redis(host="127.0.0.1", port=tls_port, ssl=True, ssl_ca_certs=self.certs.path("ca.crt"),
                            socket_timeout=10)
            self.assertTrue(r.ping())
            self.assertEqual(srv.client().config_get("tls-port"), {"tls-port": str(tls_port)})
            r.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
