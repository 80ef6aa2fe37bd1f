"""Two functions to measure with corelab: one holds the GIL, one releases it.

Each is called once per task with one argument. Nothing here runs until you press Run (or
`corelab run`): opening a preset that names this file never imports it.
"""

import hashlib


def pure_python(n):
    """Sum of squares in a Python loop: every step holds the GIL, so threads take turns."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def sha256_big(mib):
    """SHA-256 of `mib` MiB, 16 times: hashlib releases the GIL while it hashes buffers
    larger than 2 KiB, so threads hash in parallel."""
    data = bytes(range(256)) * (4096 * mib)
    digest = b""
    for _ in range(16):
        digest = hashlib.sha256(data + digest).digest()
    return digest.hex()


def fails_on_three(n):
    """Raises for the argument 3: its traceback is shown in the failed cell."""
    if n == 3:
        return 1 // (n - 3)
    return n
