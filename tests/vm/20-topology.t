#!/bin/bash
# One boot with another topology (-smp 4, two NUMA nodes): ktbox --install,
# every applet by name, hostctx online_cpus / numa_nodes, and a scheduler
# error captured on a multi-node guest.  See guest/topo.sh.
. "$(dirname "$0")/boot.sh"
vm_boot topology /tests/topo.sh 4 2
