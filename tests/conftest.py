"""Test settings. Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default: "ci" when CI is
set, else "dev"): "dev" runs hypothesis's usual 100 examples per property without time
deadlines (a slow first pint parse is not a bug); "ci" (what .ci/run uses) runs 300 examples
with a fixed seed, so that a run can be repeated exactly; "thorough" runs a thousand per
property (a bug hunt, not for CI)."""
import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, max_examples=300, derandomize=True,
                          print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                                else "dev"))
