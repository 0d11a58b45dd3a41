from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with a tiny cost, so tests exercise the real algorithm without spending seconds per user."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
