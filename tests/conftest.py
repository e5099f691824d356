"""Test settings: hypothesis runs without time deadlines (a slow first pint parse is not a
bug) and, under CI, with a fixed seed so that a run can be repeated exactly."""
import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
