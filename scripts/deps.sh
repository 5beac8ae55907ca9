#!/bin/sh
#
# deps.sh - install every Debian package needed to build and test cups-upa.
#
# Works on a minimal Debian 12 (bookworm), e.g. as left by
# "debootstrap --variant=minbase", run as root.  Idempotent: when everything
# is installed already it changes nothing and needs no network.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

set -eu

# Build: compiler, autotools, and the libraries configure checks for.
BUILD_PACKAGES="
build-essential
autoconf
automake
libtool
pkg-config
make
xz-utils
libcups2-dev
libcupsfilters-dev
libcurl4-openssl-dev
libssl-dev
libjson-c-dev
libcmocka-dev
libpam0g-dev
libmicrohttpd-dev
libgnutls28-dev
libncurses-dev
libgxps-dev
libcairo2-dev
libarchive-dev
libqpdf-dev
libcrypt-dev
libpamtest0-dev
libpam-wrapper
libldap-dev
libpcsclite-dev
"

# Tests and demo: a real cupsd and its clients ("cups" adds cups-deviced,
# cups-driverd, the sample drivers and filters), PDF tools, TLS and JSON on
# the command line, valgrind, a terminal for the kiosk test (tmux), PAM test
# tools, python3 (a benchmark sink), an HTTP proxy (tinyproxy), LDAP (slapd,
# ldap-utils) for the badge lookup test, Debian and RPM packaging tools,
# systemd-nspawn (systemd-container) to boot a container in which the
# package test runs the kiosk as a systemd service;
# the filter test needs cups-filters (pdftopdf), zip and a TrueType font.
TEST_PACKAGES="
cups
cups-filters
zip
fonts-dejavu-core
cups-daemon
cups-client
cups-bsd
cups-ipp-utils
poppler-utils
ghostscript
qpdf
openssl
ca-certificates
curl
jq
valgrind
util-linux
iproute2
procps
tmux
pamtester
slapd
ldap-utils
python3
tinyproxy
dpkg-dev
debhelper
lintian
rpm
rpmlint
pcscd
vsmartcard-vpcd
systemd-container
"

PACKAGES=$(echo $BUILD_PACKAGES $TEST_PACKAGES)

if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: run as root (it installs Debian packages with apt-get)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps.sh: apt-get not found: this script supports Debian 12 (bookworm) only" >&2
  exit 1
fi

# Which packages are missing?
missing=
for pkg in $PACKAGES; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != installed ]; then
    missing="$missing $pkg"
  fi
done

if [ -z "$missing" ]; then
  echo "deps.sh: all $(echo $PACKAGES | wc -w) packages are installed"
  exit 0
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# slapd is only a test tool here (tests/pam/ldap.sh runs a private one): no
# system directory is created or started.
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 $missing >/dev/null
echo "deps.sh: done"
