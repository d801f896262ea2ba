# Shared by the suites' run.sh: counting what a node test file printed. Source it after setting
# `passed` and `failed`.

# add_node_counts NAME STATUS OUTPUT: adds the "N passed, M failed" of OUTPUT's last line to
# passed/failed; a run that did not get there, or exited non-zero with no failure counted, is one
# failure more.
add_node_counts() {
  local name=$1 status=$2 out=$3 line
  line=$(echo "$out" | tail -1)
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed+BASH_REMATCH[1])); failed=$((failed+BASH_REMATCH[2]))
    if [ "$status" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
      echo "FAIL $name exited with $status"; failed=$((failed+1))
    fi
  else
    echo "FAIL $name did not finish (exit $status)"; failed=$((failed+1))
  fi
}
