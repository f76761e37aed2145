#!/usr/bin/env bash
# The .deb as an integrator gets it: CPack builds it from this build dir; its files, control
# fields, conffiles and maintainer scripts are checked (the scripts run against stub commands,
# so nothing on this machine changes); then it is unpacked into a throw-away root, whose
# roomd checks the config the package ships and whose unit passes `systemd-analyze verify`.
# Usage: test_deb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d /tmp/roomd-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect() {  # expect DESCRIPTION COMMAND...: fails the test with DESCRIPTION unless COMMAND succeeds
  local what=$1
  shift
  "$@" || fail "$what"
}

cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; echo "FAIL: cpack could not build the package" >&2; exit 1; }
debs=("$work"/out/roomd_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || { echo "FAIL: no roomd_*.deb in $work/out" >&2; exit 1; }

# Files.
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
for file in ./usr/bin/roomd ./usr/lib/systemd/system/roomd.service ./etc/roomd/roomd.json \
  ./usr/share/roomd/roomd.json ./usr/share/roomd/examples/demo.json \
  ./usr/share/doc/roomd/README.md ./usr/share/doc/roomd/docs/api.md; do
  expect "the package lacks $file" grep -qx "$file" "$work/files"
done
expect "files outside /usr and /etc: $(grep -v '^\./\(usr\|etc\)/' "$work/files" | grep -vx './' | head -3)" \
  bash -c "! grep -v '^\./\(usr\|etc\)/' '$work/files' | grep -qvx './'"

# Control fields: the name, and dependencies from dpkg-shlibdeps beside the scripts' own.
expect "Package is not roomd" test "$(dpkg-deb -f "$deb" Package)" = roomd
depends=$(dpkg-deb -f "$deb" Depends)
for dependency in adduser init-system-helpers libc6 libstdc++6 libsqlite3-0 libssl3 libmosquitto1; do
  expect "Depends lacks $dependency: $depends" grep -q "\(^\|, \)$dependency\b" <<<"$depends"
done
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
expect "conffiles is not /etc/roomd/roomd.json" test "$(cat "$work/control/conffiles")" = /etc/roomd/roomd.json
for script in postinst prerm postrm; do
  expect "$script missing or not executable" test -x "$work/control/$script"
  expect "$script is not valid sh" sh -n "$work/control/$script"
done

# The maintainer scripts, run with every command they call replaced by a stub that logs it.
# This machine has no systemd as PID 1, so the scripts take their no-systemd paths.
stubs=$work/stubs
mkdir "$stubs"
for command in adduser install chgrp chmod deb-systemd-helper deb-systemd-invoke systemctl rm rmdir; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$command" "$work/calls" >"$stubs/$command"
done
printf '#!/bin/sh\nexit 2\n' >"$stubs/getent"  # no roomd user yet
printf '#!/bin/sh\necho root:root\n' >"$stubs/stat"
printf '#!/bin/sh\nexit 1\n' >"$stubs/cmp"
chmod +x "$stubs"/*
run_script() {  # run_script SCRIPT ARGS...: its calls, one per line, in $work/calls
  : >"$work/calls"
  PATH=$stubs /bin/sh "$work/control/$1" "${@:2}" || fail "$* exited with $?"
}
expect_call() {  # expect_call WHAT LINE: a call logged by the last run_script
  expect "$1: no call '$2' in: $(tr '\n' '|' <"$work/calls")" grep -qxF "$2" "$work/calls"
}
run_script postinst configure
expect_call "postinst creates the system user" \
  "adduser --quiet --system --group --home /var/lib/roomd --no-create-home --gecos roomd room controller roomd"
expect_call "postinst puts roomd in dialout" "adduser --quiet roomd dialout"
expect_call "postinst gives roomd its state directory" "install -d -o roomd -g roomd -m 0750 /var/lib/roomd"
expect_call "postinst enables the service on a first install" "deb-systemd-helper enable roomd.service"
run_script postrm purge
expect_call "purge removes the state directory" "rm -rf /var/lib/roomd"
expect_call "purge forgets the service" "deb-systemd-helper purge roomd.service"
run_script postrm remove
expect "remove keeps the state directory" bash -c "! grep -q '^rm ' '$work/calls'"

# Unpacked into a throw-away root: the shipped roomd accepts the shipped config, and its
# examples, uncommented, are valid too.
root=$work/root
dpkg-deb -x "$deb" "$root"
expect "the unpacked roomd rejects the sample config" \
  "$root/usr/bin/roomd" check-config "$root/etc/roomd/roomd.json"
expect "the sample config in the package is not the one in the source" \
  cmp -s "$root/etc/roomd/roomd.json" "$source/config/sample.json"
sed -E 's#^(\s*)// (\{|  "|   )#\1\2#' "$root/etc/roomd/roomd.json" >"$work/uncommented.json"
expect "the sample's examples do not all uncomment" \
  test "$(grep -c '^\s*//' "$work/uncommented.json")" -lt "$(grep -c '^\s*//' "$root/etc/roomd/roomd.json")"
if ! out=$("$root/usr/bin/roomd" check-config "$work/uncommented.json" 2>&1) || ! grep -q "ok ([1-9]" <<<"$out"; then
  fail "the sample's examples, uncommented, are not a valid config with modules: $out"
fi

# The unit as installed, verified by systemd with its commands pointing into the root (no
# systemd runs here, and nothing is installed in /usr/bin); any warning counts as a failure.
mkdir "$work/unit"
sed "s#/usr/bin/roomd#$root/usr/bin/roomd#g" "$root/usr/lib/systemd/system/roomd.service" >"$work/unit/roomd.service"
if ! out=$(systemd-analyze verify --man=no "$work/unit/roomd.service" 2>&1) || [ -n "$out" ]; then
  fail "systemd-analyze verify roomd.service: $out"
fi
# shellcheck disable=SC2016 # $MAINPID is systemd's, not the shell's
expect "the unit has no ExecReload sending SIGHUP" \
  grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$root/usr/lib/systemd/system/roomd.service"

if [ "$failures" -ne 0 ]; then
  echo "$failures failed checks of $deb" >&2
  exit 1
fi
echo "roomd package: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version), every check passed"
