#!/bin/sh
# tests/vm/30-runner.t: a guest that never finishes (the runner's hard timeout).
echo "hanging on purpose"
sleep 3600
