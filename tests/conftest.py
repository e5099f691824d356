"""Test settings: hypothesis runs without time deadlines (a slow first pint parse is not a
bug) and, under CI, with a fixed seed so that a run can be repeated exactly. HYPOTHESIS_PROFILE=thorough
runs a thousand examples per property (a bug hunt, not for CI)."""
import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                                else "dev"))
