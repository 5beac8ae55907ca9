# Chaos soak: releases and reports under kill -9, restarts and network faults.
# Not part of "make check" (minutes long, root only): scripts/check.sh runs
# "tests/chaos/soak.sh --quick"; the long default run is for benchmarks.

EXTRA_DIST += \
	tests/chaos/soak.sh
