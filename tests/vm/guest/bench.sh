#!/bin/sh
# tests/bench/vm.sh: the first applet output after boot, as early as possible.
hostctx | head -n 1
