#!/bin/bash
#
# The LDAP badge source ("Sources ldap") of the built pam_upa.so against a
# private slapd on a loopback port, driven by pamtester under pam_wrapper.
#
# Needs root (slapd, root-only bind password file) and slapd, slapadd,
# slappasswd, pamtester, openssl and pam_wrapper; skipped (77) otherwise.
# scripts/deps.sh installs them all.  UPA_KEEP=1 keeps the temp folder,
# UPA_VERBOSE=1 shows every step's output.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

top_builddir="${top_builddir:-$(pwd)}"
module="$top_builddir/pam_module/.libs/pam_upa.so"
upactl="$top_builddir/tools/upactl"
wrapper="$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d ' ')"
PATH="$PATH:/usr/sbin:/sbin"

case "$wrapper" in
    /*) ;;
    *) wrapper="$(pkg-config --variable=libdir pam_wrapper 2>/dev/null)/libpam_wrapper.so" ;;
esac

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (private slapd, root-only LDAPBindPasswordFile)"
    exit 77
fi

for need in slapd slapadd slappasswd pamtester openssl ss; do
    if ! command -v $need >/dev/null 2>&1; then
        echo "SKIP: $need not installed (scripts/deps.sh installs slapd, ldap-utils, pamtester)"
        exit 77
    fi
done

if [ ! -f "$wrapper" ]; then
    echo "SKIP: libpam_wrapper.so not found"
    exit 77
fi

schema=/etc/ldap/schema
for s in core cosine inetorgperson; do
    if [ ! -f "$schema/$s.schema" ]; then
        echo "SKIP: $schema/$s.schema not found (slapd schema files)"
        exit 77
    fi
done

modpath=
for d in /usr/lib/ldap /usr/lib64/openldap /usr/lib/openldap; do
    if [ -e "$d/back_mdb.so" ] || [ -e "$d/back_mdb.la" ]; then
        modpath="$d"
        break
    fi
done

if [ ! -f "$module" ]; then
    echo "FAIL: $module not built"
    exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/upa-ldap.XXXXXX")" || exit 1
slapd_pid=

cleanup() {
    if [ -n "$slapd_pid" ]; then
        kill -CONT "$slapd_pid" 2>/dev/null
        kill "$slapd_pid" 2>/dev/null
        wait "$slapd_pid" 2>/dev/null
    fi
    if [ "${UPA_KEEP:-0}" = 1 ]; then
        echo "# kept $dir"
    else
        rm -rf "$dir"
    fi
}
trap cleanup EXIT

mkdir "$dir/services" "$dir/db"


#
# The directory: a schema for userPrincipalName (an Active Directory
# attribute OpenLDAP does not ship), a reader account and the users.
#

cat >"$dir/upn.schema" <<'EOF'
attributetype ( 1.3.6.1.4.1.4203.666.11.99.1 NAME 'userPrincipalName'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.99.2 NAME 'upaUser' SUP top AUXILIARY
    MAY userPrincipalName )
EOF

# TLS: a throwaway CA and a server certificate for 127.0.0.1 (StartTLS and
# ldaps://), plus an unrelated CA the client must not accept.
ecc() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "$@" 2>/dev/null; }
ecc -x509 -days 2 -keyout "$dir/ca.key" -out "$dir/ca.pem" -subj /CN=upa-ldap-test-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
ecc -x509 -days 2 -keyout "$dir/other.key" -out "$dir/other-ca.pem" -subj /CN=upa-ldap-other-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
ecc -keyout "$dir/server.key" -out "$dir/server.csr" -subj /CN=127.0.0.1 &&
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext" &&
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null ||
    { echo "Bail out! cannot create test certificates"; exit 99; }

{
    echo "include $schema/core.schema"
    echo "include $schema/cosine.schema"
    echo "include $schema/inetorgperson.schema"
    echo "include $dir/upn.schema"
    echo "pidfile $dir/slapd.pid"
    echo "TLSCACertificateFile $dir/ca.pem"
    echo "TLSCertificateFile $dir/server.pem"
    echo "TLSCertificateKeyFile $dir/server.key"
    [ -n "$modpath" ] && { echo "modulepath $modpath"; echo "moduleload back_mdb"; }
    echo "database mdb"
    echo "maxsize 10485760"
    echo "suffix \"dc=example,dc=com\""
    echo "rootdn \"cn=admin,dc=example,dc=com\""
    echo "directory $dir/db"
    # Only the reader may search: a lookup that does not bind finds nothing.
    echo "access to attrs=userPassword by anonymous auth by * none"
    echo "access to * by dn.exact=\"cn=reader,dc=example,dc=com\" read by * none"
} >"$dir/slapd.conf"

readerpw="reader-$(openssl rand -hex 8)"
readerhash="$(slappasswd -s "$readerpw")" || exit 1

user() {
    # user UID NUMBER [UPN] [MAIL] [DESCRIPTION]
    printf 'dn: uid=%s,ou=people,dc=example,dc=com\n' "$1"
    printf 'objectClass: inetOrgPerson\nobjectClass: upaUser\n'
    printf 'uid: %s\ncn: %s\nsn: %s\nemployeeNumber: %s\n' "$1" "$1" "$1" "$2"
    [ -n "$3" ] && printf 'userPrincipalName: %s\n' "$3"
    [ -n "$4" ] && printf 'mail: %s\n' "$4"
    [ -n "$5" ] && printf 'description: %s\n' "$5"
    echo
}

{
    printf 'dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n'
    printf 'dn: ou=people,dc=example,dc=com\nobjectClass: organizationalUnit\nou: people\n\n'
    printf 'dn: cn=reader,dc=example,dc=com\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: %s\n\n' "$readerhash"
    user alice 1001 alice@contoso.com alice.mail@contoso.com
    user bob 1002 "" bob@contoso.com
    user dave 1003 dave@contoso.com
    user dave2 1003 dave2@contoso.com
    user erin 1004 erin@contoso.com "" disabled
    user frank 1005 frank@contoso.com
    user gina 1006
} >"$dir/data.ldif"

if ! slapadd -q -f "$dir/slapd.conf" -l "$dir/data.ldif" >"$dir/slapadd.log" 2>&1; then
    cat "$dir/slapadd.log"
    echo "Bail out! slapadd failed"
    exit 99
fi

# Three free loopback ports (ldap, ldaps, one left unused): not listening now.
port=
for try in 1 2 3 4 5 6 7 8 9 10; do
    p=$((20000 + RANDOM % 40000))
    if ! ss -Hltn "( sport = :$p or sport = :$((p + 1)) or sport = :$((p + 2)) )" | grep -q .; then
        port=$p
        break
    fi
done
[ -n "$port" ] || { echo "Bail out! no free port"; exit 99; }
uri="ldap://127.0.0.1:$port/"
suri="ldaps://127.0.0.1:$((port + 1))/"

# Foreground (-d 0) so $! is slapd itself and the trap can stop it.
slapd -d 0 -f "$dir/slapd.conf" -h "$uri $suri" >"$dir/slapd.log" 2>&1 &
slapd_pid=$!

ready=0
for i in $(seq 1 100); do
    if ! kill -0 "$slapd_pid" 2>/dev/null; then
        break
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.1
done
if [ $ready = 0 ]; then
    cat "$dir/slapd.log"
    slapd_pid=
    echo "Bail out! slapd did not start on $uri"
    exit 99
fi
echo "# slapd $slapd_pid on $uri"


#
# pam_upa: site key, a local store (for the source order check), the bind
# password and one badge.conf per scenario.
#

key="$(openssl rand -hex 32)"
(umask 077; echo "$key" >"$dir/badge.key")
hmac() {
    printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -r | cut -d' ' -f1
}
(umask 077; echo "$(hmac 1005) frank.local@contoso.com" >"$dir/badges")
(umask 077; echo "$readerpw" >"$dir/bindpw"; echo "wrong-password" >"$dir/badpw")
timeout=3

conf() {
    # conf NAME SOURCES [EXTRA-LINES]: badge.conf plus a PAM service "upa-NAME"
    cat >"$dir/$1.conf" <<EOC
Store $dir/badges
KeyFile $dir/badge.key
StateDir $dir/state
UpaConfig $dir/none.conf
DebounceTime 0
MaxFailures 0
UnknownMaxFailures 0
Sources $2
LDAPURI $uri
LDAPBase ou=people,dc=example,dc=com
LDAPBindDN cn=reader,dc=example,dc=com
LDAPBindPasswordFile $dir/bindpw
LDAPTimeout $timeout
LDAPDisabledFilter (description=disabled)
$3
EOC
    printf 'auth required %s config=%s debug debug_file=stderr\naccount required %s config=%s debug debug_file=stderr\n' \
        "$module" "$dir/$1.conf" "$module" "$dir/$1.conf" >"$dir/services/upa-$1"
}

conf ldap "ldap"
conf local "local ldap"
conf badpw "ldap" "LDAPBindPasswordFile $dir/badpw"
conf wildfilter "ldap" "LDAPFilter (&(objectClass=inetOrgPerson)(employeeNumber=%s))"
conf starttls "ldap" "LDAPStartTLS yes
LDAPCAFile $dir/ca.pem"
conf starttlsbad "ldap" "LDAPStartTLS yes
LDAPCAFile $dir/other-ca.pem"
conf ldaps "ldap" "LDAPURI $suri
LDAPCAFile $dir/ca.pem"
conf ldapsbad "ldap" "LDAPURI $suri
LDAPCAFile $dir/other-ca.pem"
conf failover "ldap" "LDAPURI ldap://127.0.0.1:$((port + 2))/ $uri"

# pamtester is not a sanitizer build: when the module is, the sanitizer
# runtimes must be loaded first and pam_wrapper must not use RTLD_DEEPBIND.
preload="$wrapper"
if grep -qa __asan_init "$module"; then
    preload="$(${CC:-cc} -print-file-name=libasan.so) $(${CC:-cc} -print-file-name=libubsan.so) $wrapper"
    export PAM_WRAPPER_DISABLE_DEEPBIND=1
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi

run() {
    # run SERVICE BADGE OPERATIONS...: output in $dir/out, status returned
    svc="$1"; badge="$2"; shift 2
    printf '%s\n' "$badge" | LD_PRELOAD="$preload" PAM_WRAPPER=1 \
        PAM_WRAPPER_SERVICE_DIR="$dir/services" pamtester -v "upa-$svc" nobody "$@" >"$dir/out" 2>&1
}

failures=0
count=0

pass() { count=$((count + 1)); echo "ok $count - $1"; [ "${UPA_VERBOSE:-0}" = 1 ] && sed 's/^/#   /' "$dir/out"; return 0; }
fail() { count=$((count + 1)); failures=$((failures + 1)); echo "not ok $count - $1"; sed 's/^/#   /' "$dir/out"; }

# expect DESC SERVICE BADGE PAM-CODE [GREP...]: the module's result code
# (debug line "authenticate returns ... (N)") and lines the output must hold.
expect() {
    desc="$1"; svc="$2"; badge="$3"; code="$4"; shift 4
    run "$svc" "$badge" authenticate
    if ! grep -q "authenticate returns .* ($code)\$" "$dir/out"; then
        fail "$desc (wanted PAM code $code)"
        return
    fi
    for pattern in "$@"; do
        if ! grep -q -e "$pattern" "$dir/out"; then
            fail "$desc (no \"$pattern\")"
            return
        fi
    done
    # Never the expanded filter (it holds the ID) nor the bind password.
    if grep -q -F -e "employeeNumber=$badge" -e "$readerpw" "$dir/out"; then
        fail "$desc (badge ID or bind password in the output)"
        return
    fi
    pass "$desc"
}

# PAM codes: 0 success, 6 perm denied, 7 auth err, 9 authinfo unavail, 10 user unknown.
expect "known badge resolves to its userPrincipalName" ldap 1001 0 \
    "user=alice@contoso.com source=ldap outcome=success"
expect "entry without userPrincipalName falls back to mail" ldap 1002 0 \
    "user=bob@contoso.com source=ldap outcome=success"
expect "unknown badge is PAM_USER_UNKNOWN" ldap 4242 10 "ldap lookup: not-found" "outcome=unknown"
expect "two entries with the number are refused (ambiguous)" ldap 1003 7 \
    "ldap lookup: ambiguous" "source=ldap outcome=ambiguous"
expect "entry with neither attribute is unavailable, not accepted" ldap 1006 9 \
    "no usable userPrincipalName or mail" "outcome=ldap-unavailable"

# Filter injection: the ID is escaped (\2a, \28, \29), so none of these
# match; unescaped, "1001*" would match alice and "*" everyone.
for inj in '*' '1001*' '*)(uid=*' '1001)(uid=alice' '*)(|(uid=*'; do
    expect "filter injection \"$inj\" matches nothing" ldap "$inj" 10 "ldap lookup: not-found"
    expect "filter injection \"$inj\" in a compound LDAPFilter matches nothing" wildfilter "$inj" 10 "ldap lookup: not-found"
done

# TLS: StartTLS and ldaps:// with the right CA work; an unknown CA is refused.
expect "StartTLS with LDAPCAFile" starttls 1001 0 "user=alice@contoso.com source=ldap outcome=success"
expect "StartTLS with a server certificate from another CA is refused" starttlsbad 1001 9 \
    "ldap lookup: network: LDAP StartTLS failed" "outcome=ldap-unavailable"
expect "ldaps:// with LDAPCAFile" ldaps 1001 0 "user=alice@contoso.com source=ldap outcome=success"
expect "ldaps:// with a server certificate from another CA is refused" ldapsbad 1001 9 \
    "ldap lookup: network" "outcome=ldap-unavailable"

# Several URIs: the first one is down, the second answers.
expect "LDAPURI list: failover to the second server" failover 1001 0 "user=alice@contoso.com source=ldap outcome=success"

# Configuration mistakes are refused at load time, naming the problem.
badconf() {
    # badconf NAME LINES...: a badge.conf made only of the given lines
    name="$1"; shift
    printf 'Store %s\nKeyFile %s\nStateDir %s\nUpaConfig %s\n' "$dir/badges" "$dir/badge.key" "$dir/state" "$dir/none.conf" >"$dir/$name.conf"
    printf '%s\n' "$@" >>"$dir/$name.conf"
    printf 'auth required %s config=%s debug debug_file=stderr\n' "$module" "$dir/$name.conf" >"$dir/services/upa-$name"
}
badconf nobase "Sources ldap" "LDAPURI $uri"
badconf nopct "Sources ldap" "LDAPURI $uri" "LDAPBase dc=example,dc=com" "LDAPFilter (employeeNumber=1001)"
badconf twopct "Sources ldap" "LDAPURI $uri" "LDAPBase dc=example,dc=com" "LDAPFilter (|(employeeNumber=%s)(uid=%s))"
badconf http "Sources ldap" "LDAPURI http://127.0.0.1:$port/" "LDAPBase dc=example,dc=com"
badconf nopw "Sources ldap" "LDAPURI $uri" "LDAPBase dc=example,dc=com" "LDAPBindDN cn=reader,dc=example,dc=com"
badconf tlsldaps "Sources ldap" "LDAPURI ldaps://127.0.0.1:$port/" "LDAPBase dc=example,dc=com" "LDAPStartTLS yes"
expect "Sources ldap without LDAPBase is a config error" nobase 1001 9 "needs LDAPURI and LDAPBase" "outcome=config-error"
expect "LDAPFilter without %s is a config error" nopct 1001 9 "exactly one" "outcome=config-error"
expect "LDAPFilter with two %s is a config error" twopct 1001 9 "exactly one" "outcome=config-error"
expect "LDAPURI http:// is a config error" http 1001 9 "not an ldap:// or ldaps:// URI" "outcome=config-error"
expect "LDAPBindDN without LDAPBindPasswordFile is a config error" nopw 1001 9 "go together" "outcome=config-error"
expect "LDAPStartTLS with ldaps:// is a config error" tlsldaps 1001 9 "LDAPStartTLS needs ldap://" "outcome=config-error"

# LDAPDisabledFilter: authenticate succeeds, account management refuses.
if run ldap 1004 authenticate acct_mgmt; then
    fail "entry matching LDAPDisabledFilter is refused by acct_mgmt (accepted)"
elif grep -q "authenticate returns .* (0)\$" "$dir/out" && grep -q "source=account outcome=disabled" "$dir/out"; then
    pass "entry matching LDAPDisabledFilter is refused by acct_mgmt"
else
    fail "entry matching LDAPDisabledFilter is refused by acct_mgmt"
fi

run ldap 1001 authenticate acct_mgmt
if grep -q "successfully completed" "$dir/out" || grep -q "successfully authenticated" "$dir/out"; then
    pass "enabled entry passes acct_mgmt"
else
    fail "enabled entry passes acct_mgmt"
fi

# Source order: the local store wins for 1005, LDAP answers what it lacks.
expect "Sources local ldap: local mapping wins" local 1005 0 \
    "user=frank.local@contoso.com source=local outcome=success"
expect "Sources local ldap: LDAP resolves a badge the store lacks" local 1001 0 \
    "user=alice@contoso.com source=ldap outcome=success"

# Wrong bind password: unavailable (not "unknown"), with the reason logged.
expect "wrong bind password is PAM_AUTHINFO_UNAVAIL" badpw 1001 9 \
    "LDAP bind failed: Invalid credentials" "outcome=ldap-unavailable"

# A bind password file others can read is refused before any bind.
chmod 0644 "$dir/bindpw"
expect "world-readable LDAPBindPasswordFile is refused" ldap 1001 9 "readable by others"
chmod 0600 "$dir/bindpw"

# upactl badge test --ldap shows the same resolution.
if [ -x "$upactl" ]; then
    out="$(printf '1001\n1003\n4242\n' | UPA_CONFIG="$dir/none.conf" "$upactl" badge -C "$dir/ldap.conf" test --ldap 2>&1)"
    echo "$out" >"$dir/out"
    if grep -q "^ldap: alice@contoso.com dn=uid=alice,ou=people,dc=example,dc=com\$" "$dir/out" &&
       grep -q "^ldap: ambiguous" "$dir/out" && grep -q "^ldap: not-found\$" "$dir/out"; then
        pass "upactl badge test --ldap"
    else
        fail "upactl badge test --ldap"
    fi
else
    echo "# upactl not built: \"upactl badge test --ldap\" not checked"
fi

# A hung server (SIGSTOP: TCP still accepts, LDAP never answers): the
# lookup gives up after LDAPTimeout.
kill -STOP "$slapd_pid"
start=$(date +%s)
expect "hung slapd is PAM_AUTHINFO_UNAVAIL" ldap 1001 9 "ldap lookup: network" "outcome=ldap-unavailable"
elapsed=$(( $(date +%s) - start ))
kill -CONT "$slapd_pid"
if [ $elapsed -le $((timeout + 3)) ]; then
    pass "hung slapd: gave up after ${elapsed}s (LDAPTimeout $timeout)"
else
    fail "hung slapd: took ${elapsed}s (LDAPTimeout $timeout)"
fi

# Stopped server: connection refused.
kill "$slapd_pid"
wait "$slapd_pid" 2>/dev/null
slapd_pid=
start=$(date +%s)
expect "stopped slapd is PAM_AUTHINFO_UNAVAIL" ldap 1001 9 "ldap lookup: network" "outcome=ldap-unavailable"
elapsed=$(( $(date +%s) - start ))
if [ $elapsed -le $((timeout + 3)) ]; then
    pass "stopped slapd: answered within ${elapsed}s"
else
    fail "stopped slapd: took ${elapsed}s"
fi

# Local store still works when LDAP is down and the badge is local.
expect "Sources local ldap with slapd down: local mapping still accepted" local 1005 0 \
    "user=frank.local@contoso.com source=local outcome=success"

echo "1..$count"
[ $failures = 0 ]
