# Integration tests: the real cupsd, backend, release program and upa-cloudsim.

EXTRA_DIST += tests/integration/lib.sh
