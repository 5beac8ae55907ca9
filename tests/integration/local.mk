# Integration tests: the real cupsd, backend, release program and upa-cloudsim.
# They need root (a private cupsd runs its backends as lp) and skip (77) otherwise.

TESTS += \
	tests/integration/release.sh \
	tests/integration/profile-pwg.sh \
	tests/integration/exactly-once.sh \
	tests/integration/proxy.sh

EXTRA_DIST += \
	tests/integration/lib.sh \
	tests/integration/capture \
	tests/integration/release.sh \
	tests/integration/profile-pwg.sh \
	tests/integration/exactly-once.sh \
	tests/integration/proxy.sh \
	tests/integration/ipptool/forged-uuid.test \
	tests/integration/ipptool/impostor.test \
	tests/integration/ipptool/job-uuid.test \
	tests/data/hello.pdf \
	tests/data/bob.pdf \
	tests/data/quarterly-report.pdf

# The scripts behind README's two commands, and CI's entry point (which
# also runs the compiled tests under valgrind with these suppressions).
EXTRA_DIST += \
	tests/valgrind.supp \
	scripts/deps.sh \
	scripts/check.sh \
	scripts/demo.sh \
	.ci/run
