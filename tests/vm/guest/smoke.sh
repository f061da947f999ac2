#!/bin/sh
# Smallest guest check: ktbox runs and lists its applets.
ktbox --list
