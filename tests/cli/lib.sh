# Shell helpers shared by the workflow tests: pass/fail counting and one-line-error checks.
# Source it after setting $vgae and $tmp.
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# run NAME EXPECTED_STATUS ERR_REGEX -- ARGS: for failures, stderr must be one
# matching line and stdout empty
expect_error() {
    name=$1 want=$2 regex=$3
    shift 4
    "$vgae" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then fail "$name: exit $got, expected $want"; cat "$tmp/err"; return; fi
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { fail "$name: stderr is not one line"; cat "$tmp/err"; return; }
    [ -s "$tmp/out" ] && { fail "$name: stdout not empty"; return; }
    grep -Eq -- "$regex" "$tmp/err" || { fail "$name: stderr '$(cat "$tmp/err")' lacks /$regex/"; return; }
    ok "$name"
}
leftovers() { # no temporary files may stay behind
    if ls -A "$1" | grep -q '^\.'; then fail "temporary files left in $1: $(ls -A "$1")"; fi
}
json_field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$2"; }
