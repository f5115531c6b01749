"""A test fixture of another service: its token is a JWT, but nothing here is about a browser session."""
import jwt

SIGNED_SAMPLE = "{{SSO}}"


def claims():
    return jwt.decode(SIGNED_SAMPLE, options={"verify_signature": False})
