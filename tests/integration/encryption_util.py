"""Helpers for tests of the encryption module (build/modules/encryption.so)
with real AOF and snapshot files: key files, the module's arguments, and
damaging a file on purpose.

    d = temp_dir()
    key = make_key_file(d)
    with start_server(loadmodule_args(key)) as srv: ...
    flip_byte(aof_path, 100)        # a tampered file must stop the server

A frame is: version (1 byte) | key id (8) | nonce (12) | ciphertext | tag (16);
modules/encryption/README.md has the details.
"""

import atexit
import hashlib
import os
import shutil
import tempfile

from harness import module_path

KEY_SIZE = 32
FRAME_HEADER = 1 + 8 + 12
FRAME_OVERHEAD = FRAME_HEADER + 16
AUTH_FAILED = "authentication failed: the file was tampered with or is corrupt"


def temp_dir():
    """A fresh directory, removed when the test program exits."""
    d = tempfile.mkdtemp(prefix="ember-enc-")
    atexit.register(shutil.rmtree, d, True)
    return d


def make_key_file(directory=None, name="ember.key", key=None, mode=0o600):
    """Writes a key file (key: 32 bytes, random by default) and returns its
    path. directory defaults to a new temp_dir(). Any other length makes a
    bad key file, for the tests that expect it refused."""
    if directory is None:
        directory = temp_dir()
    if key is None:
        key = os.urandom(KEY_SIZE)
    path = os.path.join(directory, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    os.chmod(path, mode)  # the umask may have narrowed it
    return path


def key_id(key_path):
    """The key id the module reports (INFO encryption_key_id, error
    messages) for a key file: SHA-256's first 8 bytes, in hex."""
    with open(key_path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def different_key_error(key_path):
    """The decode error for a frame written under the key in key_path."""
    return ("frame encrypted with a different key (key id %s); load the key file it was written with"
            % key_id(key_path))


def loadmodule_args(key_path):
    """ember-server flags that load the module with this key file."""
    return ["--loadmodule", module_path("encryption"), "keyfile", key_path]


def flip_byte(path, offset, mask=0x01):
    """XORs the byte at offset (negative: from the end) with mask, in place;
    returns the byte's old value."""
    with open(path, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        at = offset + size if offset < 0 else offset
        if not 0 <= at < size:
            raise ValueError("offset %d outside %s (%d bytes)" % (offset, path, size))
        f.seek(at)
        old = f.read(1)[0]
        f.seek(at)
        f.write(bytes([old ^ mask]))
    return old


def truncate_file(path, drop):
    """Cuts the last `drop` bytes off the file."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(max(0, size - drop))
