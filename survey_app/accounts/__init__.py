"""Staff accounts: creation, password hashing (argon2) and verification."""
