"""Hypothesis profiles: ``ci`` (quick, the default) and ``deep`` (HYPOTHESIS_PROFILE=deep)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Tests never read or write the user's cache of decoded rule files (dualprev_core.doc_cache):
# one throwaway directory per test session (a test of the cache sets its own).
if "DUALPREV_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["DUALPREV_CACHE_DIR"] = tempfile.mkdtemp(prefix="dualprev-test-cache-")
