"""`python -m cookie_session` is the `cookie-session` command."""

from .cli import main

if __name__ == "__main__":
    main()
