"""Security basics: requirepass and AUTH, HELLO AUTH, ACL users (rules, key
and channel patterns, categories, LOG, DRYRUN, aclfile SAVE/LOAD) and
protected mode."""

import os
import shutil
import socket
import tempfile
import time
import unittest

import harness
from harness import ServerTestCase, RespError

WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
NOAUTH = "NOAUTH Authentication required."
KEYS_DENIED = "NOPERM this user has no permissions to access one of the keys used as arguments"
CHANNELS_DENIED = "NOPERM this user has no permissions to access one of the channels used as arguments"


def run_denied(cmd):
    return "NOPERM this user has no permissions to run the '%s' command" % cmd


class TestRequirePass(ServerTestCase):
    shards = 2
    server_args = ("--requirepass", "s3cret")

    def setUp(self):
        self.r = self.server.client(password="s3cret")
        self.r.flushall()
        self.s = self.server
        self._raw = None

    def test_noauth_until_auth(self):
        self.assertEqual(self.cmd("GET", "k"), RespError(NOAUTH))
        self.assertEqual(self.cmd("AUTH", "wrong"), RespError(WRONGPASS))
        self.assertEqual(self.cmd("GET", "k"), RespError(NOAUTH))
        self.assertEqual(self.cmd("AUTH", "s3cret"), "OK")
        self.assertEqual(self.cmd("SET", "k", "v"), "OK")

    def test_auth_with_user(self):
        self.assertEqual(self.cmd("AUTH", "default", "wrong"), RespError(WRONGPASS))
        self.assertEqual(self.cmd("AUTH", "nobody", "s3cret"), RespError(WRONGPASS))
        self.assertEqual(self.cmd("AUTH", "default", "s3cret"), "OK")
        self.assertEqual(self.cmd("ACL", "WHOAMI"), b"default")

    def test_commands_allowed_before_auth(self):
        self.assertEqual(self.cmd("RESET"), "RESET")
        self.assertEqual(self.cmd("QUIT"), "OK")

    def test_hello(self):
        c = self.s.raw()
        err = c.execute("HELLO", "3")
        self.assertIsInstance(err, RespError)
        self.assertTrue(err.message.startswith("NOAUTH HELLO must be called with the client already authenticated"))
        self.assertEqual(c.execute("HELLO", "3", "AUTH", "default", "nope"), RespError(WRONGPASS))
        reply = c.execute("HELLO", "3", "AUTH", "default", "s3cret")
        self.assertEqual(reply[b"proto"], 3)
        self.assertEqual(c.execute("SET", "k", "v"), "OK")
        c.close()

    def test_config_set_requirepass_applies_to_new_clients(self):
        self.assertEqual(self.r.config_set("requirepass", "other"), True)
        try:
            # This client stays authenticated; a new one needs the new password.
            self.assertEqual(self.r.set("k", "v"), True)
            self.assertEqual(self.cmd("GET", "k"), RespError(NOAUTH))
            self.assertEqual(self.cmd("AUTH", "s3cret"), RespError(WRONGPASS))
            self.assertEqual(self.cmd("AUTH", "other"), "OK")
        finally:
            self.r.config_set("requirepass", "s3cret")

    def test_failed_auth_is_logged(self):
        self.r.execute_command("ACL", "LOG", "RESET")
        self.cmd("AUTH", "someone", "bad")
        entry = self.r.execute_command("ACL", "LOG", "1")[0]
        fields = dict(zip(entry[::2], entry[1::2]))
        self.assertEqual(fields[b"reason"], b"auth")
        self.assertEqual(fields[b"object"], b"AUTH")
        self.assertEqual(fields[b"username"], b"someone")


class TestAcl(ServerTestCase):
    shards = 2

    def setUp(self):
        super().setUp()
        for name in self.r.execute_command("ACL", "USERS"):
            if name != b"default":
                self.r.execute_command("ACL", "DELUSER", name)
        self.r.execute_command("ACL", "LOG", "RESET")

    def as_user(self, name, password):
        c = self.s.raw()
        self.assertEqual(c.execute("AUTH", name, password), "OK")
        self.addCleanup(c.close)
        return c

    def test_auth_without_password_configured(self):
        self.assertEqual(self.cmd("AUTH", "x"), RespError(
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?"))

    def test_new_user_is_off_with_no_rights(self):
        self.assertEqual(self.r.execute_command("ACL", "SETUSER", "alice"), b"OK")
        self.assertIn(b"user alice off resetchannels -@all", self.r.execute_command("ACL", "LIST"))
        self.assertIn(b"user default on nopass ~* &* +@all", self.r.execute_command("ACL", "LIST"))
        self.assertEqual(self.cmd("AUTH", "alice", ""), RespError(WRONGPASS))

    def test_getuser(self):
        self.r.execute_command("ACL", "SETUSER", "bob", "on", ">pw", "~k:*", "%R~r:*", "&ch*", "+get", "+@hash",
                               "-hdel")
        u = self.r.execute_command("ACL", "GETUSER", "bob")
        fields = dict(zip(u[::2], u[1::2]))
        self.assertEqual(fields[b"flags"], [b"on"])
        self.assertEqual(fields[b"passwords"],
                         [b"30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"])
        # Redis 7.0 orders the rules its own way: compare them as a set.
        self.assertEqual(sorted(fields[b"commands"].split()), [b"+@hash", b"+get", b"-@all", b"-hdel"])
        self.assertEqual(fields[b"keys"], b"~k:* %R~r:*")
        self.assertEqual(fields[b"channels"], b"&ch*")
        self.assertEqual(fields[b"selectors"], [])
        self.assertIsNone(self.r.execute_command("ACL", "GETUSER", "nobody"))

    def test_setuser_errors(self):
        def err(*rules):
            reply = self.cmd("ACL", "SETUSER", "x", *rules)
            self.assertIsInstance(reply, RespError)
            return reply.message
        self.assertEqual(err("bogus"), "ERR Error in ACL SETUSER modifier 'bogus': Syntax error")
        self.assertEqual(err("+nosuch"),
                         "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL")
        self.assertEqual(err("<nope"), "ERR Error in ACL SETUSER modifier '<nope': The password you are trying "
                                       "to remove from the user does not exist")
        self.assertEqual(err("#abc"), "ERR Error in ACL SETUSER modifier '#abc': The password hash must be "
                                      "exactly 64 characters and contain only lowercase hexadecimal characters")
        # All or nothing: a bad rule leaves no user behind.
        self.assertEqual(err("on", "bogus"), "ERR Error in ACL SETUSER modifier 'bogus': Syntax error")
        self.assertNotIn(b"x", self.r.execute_command("ACL", "USERS"))

    def test_command_rules(self):
        self.r.execute_command("ACL", "SETUSER", "bob", "on", ">pw", "allkeys", "+@string", "-set", "+config|get")
        c = self.as_user("bob", "pw")
        self.assertEqual(c.execute("SET", "k", "v"), RespError(run_denied("set")))
        self.assertEqual(c.execute("INCR", "n"), 1)
        self.assertEqual(c.execute("HSET", "h", "f", "v"), RespError(run_denied("hset")))
        self.assertIsInstance(c.execute("CONFIG", "GET", "maxclients"), list)
        self.assertEqual(c.execute("CONFIG", "SET", "maxclients", "10"), RespError(run_denied("config|set")))
        self.assertEqual(c.execute("ACL", "WHOAMI"), RespError(run_denied("acl|whoami")))
        entry = self.r.execute_command("ACL", "LOG", "1")[0]
        fields = dict(zip(entry[::2], entry[1::2]))
        self.assertEqual(fields[b"reason"], b"command")
        self.assertEqual(fields[b"object"], b"acl|whoami")
        self.assertEqual(fields[b"username"], b"bob")
        self.assertIn(b"user=bob", fields[b"client-info"])

    def test_changes_reach_connected_clients(self):
        self.r.execute_command("ACL", "SETUSER", "bob", "on", ">pw", "allkeys", "+get")
        c = self.as_user("bob", "pw")
        self.assertIsNone(c.execute("GET", "k"))
        self.r.execute_command("ACL", "SETUSER", "bob", "-get")
        self.assertEqual(c.execute("GET", "k"), RespError(run_denied("get")))

    def test_key_patterns(self):
        self.r.execute_command("ACL", "SETUSER", "kim", "on", ">pw", "+@all", "~k:*", "%R~ro:*", "%W~wo:*")
        c = self.as_user("kim", "pw")
        self.assertEqual(c.execute("SET", "k:1", "v"), "OK")
        self.assertEqual(c.execute("SET", "other", "v"), RespError(KEYS_DENIED))
        self.assertIsNone(c.execute("GET", "ro:1"))
        self.assertEqual(c.execute("SET", "ro:1", "v"), RespError(KEYS_DENIED))
        self.assertEqual(c.execute("SET", "wo:1", "v"), "OK")
        self.assertEqual(c.execute("GET", "wo:1"), RespError(KEYS_DENIED))
        # Every key of a multi-key command must pass.
        self.assertEqual(c.execute("MSET", "k:2", "v", "other", "v"), RespError(KEYS_DENIED))
        self.assertEqual(self.r.exists("k:2"), 0)

    def test_channel_patterns(self):
        self.r.execute_command("ACL", "SETUSER", "pat", "on", ">pw", "+@all", "allkeys", "&news.*")
        c = self.as_user("pat", "pw")
        self.assertEqual(c.execute("PUBLISH", "news.today", "hi"), 0)
        self.assertEqual(c.execute("PUBLISH", "sports", "hi"), RespError(CHANNELS_DENIED))
        self.assertEqual(c.execute("SUBSCRIBE", "sports"), RespError(CHANNELS_DENIED))

    def test_deluser_closes_its_clients(self):
        self.r.execute_command("ACL", "SETUSER", "gone", "on", ">pw", "+@all", "allkeys")
        c = self.as_user("gone", "pw")
        self.assertEqual(self.r.execute_command("ACL", "DELUSER", "gone", "nobody"), 1)
        self.assertTrue(c.is_closed(timeout=5))
        self.assertEqual(self.cmd("ACL", "DELUSER", "default"), RespError("ERR The 'default' user cannot be removed"))

    def test_client_kill_by_user(self):
        self.r.execute_command("ACL", "SETUSER", "kill", "on", ">pw", "+@all", "allkeys")
        c = self.as_user("kill", "pw")
        self.assertEqual(self.r.execute_command("CLIENT", "KILL", "USER", "kill"), 1)
        self.assertTrue(c.is_closed(timeout=5))
        self.assertEqual(self.cmd("CLIENT", "KILL", "USER", "nobody"), RespError("ERR No such user 'nobody'"))

    def test_off_user_cannot_authenticate(self):
        self.r.execute_command("ACL", "SETUSER", "sleepy", "off", ">pw", "+@all")
        self.assertEqual(self.cmd("AUTH", "sleepy", "pw"), RespError(WRONGPASS))

    def test_cat(self):
        cats = self.r.execute_command("ACL", "CAT")
        for c in (b"keyspace", b"read", b"write", b"string", b"hash", b"admin", b"fast", b"slow", b"dangerous",
                  b"connection", b"pubsub", b"transaction"):
            self.assertIn(c, cats)
        strings = self.r.execute_command("ACL", "CAT", "string")
        self.assertIn(b"get", strings)
        self.assertNotIn(b"hset", strings)
        self.assertEqual(self.cmd("ACL", "CAT", "nope"), RespError("ERR Unknown category 'nope'"))

    def test_dryrun(self):
        self.r.execute_command("ACL", "SETUSER", "dry", "on", ">pw", "~k*", "+get")
        self.assertEqual(self.r.execute_command("ACL", "DRYRUN", "dry", "GET", "k1"), b"OK")
        self.assertEqual(self.r.execute_command("ACL", "DRYRUN", "dry", "SET", "k1", "v"),
                         b"This user has no permissions to run the 'set' command")
        self.assertEqual(self.cmd("ACL", "DRYRUN", "nobody", "GET", "k"), RespError("ERR User 'nobody' not found"))

    def test_resetting_rules(self):
        self.r.execute_command("ACL", "SETUSER", "r", "on", "nopass", "+@all", "~*", "&*")
        self.assertIn(b"user r on nopass ~* &* +@all", self.r.execute_command("ACL", "LIST"))
        self.r.execute_command("ACL", "SETUSER", "r", "reset")
        self.assertIn(b"user r off sanitize-payload resetchannels -@all", self.r.execute_command("ACL", "LIST"))
        self.assertEqual(self.cmd("ACL", "SETUSER", "r", "~*", "~more"), RespError(
            "ERR Error in ACL SETUSER modifier '~more': Adding a pattern after the * pattern (or the 'allkeys' flag) "
            "is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"))

    def test_help(self):
        lines = self.r.execute_command("ACL", "HELP")
        self.assertEqual(lines[0], b"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        self.assertIn(b"WHOAMI", lines)

    def test_save_without_aclfile(self):
        reply = self.cmd("ACL", "SAVE")
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR This Redis instance is not configured to use an ACL file."))


class TestAclFile(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ember-acl-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "users.acl")
        with open(self.path, "w") as f:
            f.write("user default on nopass ~* &* +@all\nuser carol on >pw ~c:* +get +set\n")

    def test_load_at_start_save_and_load(self):
        with harness.start_server(extra_args=("--aclfile", self.path), shards=2) as srv:
            r = srv.client()
            self.assertEqual(sorted(r.execute_command("ACL", "USERS")), [b"carol", b"default"])
            c = srv.client(username="carol", password="pw")
            self.assertEqual(c.set("c:1", "v"), True)
            r.execute_command("ACL", "SETUSER", "dave", "on", ">pw2", "+@all", "allkeys")
            self.assertEqual(r.execute_command("ACL", "SAVE"), b"OK")
            with open(self.path) as f:
                saved = f.read()
            self.assertIn("user dave on #", saved)
            self.assertIn("user carol on #", saved)
            # A user added since is dropped by LOAD; a bad file changes nothing.
            r.execute_command("ACL", "SETUSER", "eve", "on", "nopass")
            self.assertEqual(r.execute_command("ACL", "LOAD"), b"OK")
            self.assertEqual(sorted(r.execute_command("ACL", "USERS")), [b"carol", b"dave", b"default"])
            with open(self.path, "a") as f:
                f.write("user broken on bogusrule\n")
            with self.assertRaises(harness.redis.ResponseError):
                r.execute_command("ACL", "LOAD")
            self.assertEqual(sorted(r.execute_command("ACL", "USERS")), [b"carol", b"dave", b"default"])

    @unittest.skipUnless(harness.is_ember(), "ember's start-up error")
    def test_bad_file_stops_start(self):
        with open(self.path, "w") as f:
            f.write("user x on bogusrule\n")
        with self.assertRaises(RuntimeError):
            harness.start_server(extra_args=("--aclfile", self.path))


def non_loopback_address():
    # The address the host would use for an outside route (no packet is sent).
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") else addr


PROTECTED = ("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set "
             "for the default user.")


@unittest.skipUnless(non_loopback_address(), "needs a non-loopback address")
class TestProtectedMode(unittest.TestCase):

    def connect_outside(self, port):
        """What a client from outside reads: the refusal the server sends
        unasked, or else the reply to a PING."""
        s = socket.create_connection((non_loopback_address(), port), timeout=1)
        data = b""
        try:
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        return data
                    data += chunk
            except socket.timeout:
                pass
            s.settimeout(5)
            s.sendall(b"PING\r\n")
            while not data.endswith(b"\r\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        return data

    def test_refuses_outside_clients_without_password(self):
        with harness.start_server(extra_args=("--bind", "0.0.0.0")) as srv:
            reply = self.connect_outside(srv.port)
            self.assertTrue(reply.startswith(PROTECTED.encode()), reply[:120])
            self.assertTrue(reply.endswith(b"from the outside.\r\n"))
            # Loopback clients are served, and may turn protection off.
            r = srv.client()
            self.assertTrue(r.ping())
            r.config_set("protected-mode", "no")
            self.assertEqual(self.connect_outside(srv.port), b"+PONG\r\n")

    def test_password_lifts_protection(self):
        with harness.start_server(extra_args=("--bind", "0.0.0.0", "--requirepass", "pw")) as srv:
            self.assertEqual(self.connect_outside(srv.port), b"-NOAUTH Authentication required.\r\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
