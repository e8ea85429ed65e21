"""The domain, one package per domain; services take the session and never commit."""
