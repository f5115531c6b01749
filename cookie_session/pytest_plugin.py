"""pytest fixtures for testing your own scripts offline against the stand-in (entry point `pytest11`)."""
