# Shipping ktbox (included by the Makefile).
#
#   make oci    build/oci/layout (OCI image layout) and build/oci/ktbox.oci.tar
#               (oci-archive): /bin/ktbox + applet links, from scratch
#
# Reproducible: the same binary and commit give the same digests
# (SOURCE_DATE_EPOCH defaults to the commit time).

OCI_DIR    := $(B)/oci
OCI        := $(OCI_DIR)/ktbox.oci.tar
# applet names from the one table (also right for a cross-built binary)
APPLET_NAMES := $(shell sed -n 's/^[[:space:]]*X.\([a-z0-9_]*\),.*/\1/p' applets/applets.h)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
OCI_SOURCE   ?= $(shell git remote get-url origin 2>/dev/null)
OCI_REVISION := $(shell git rev-parse HEAD 2>/dev/null)
OCI_ARCH     ?= amd64

$(OCI): $(B)/ktbox pkg/mkoci.sh applets/applets.h
	@echo "  OCI     $(OCI_DIR)"
	@sh pkg/mkoci.sh -k $(B)/ktbox -o $(OCI_DIR) -a "$(APPLET_NAMES)" -A $(OCI_ARCH) \
		-V "$(VERSION)" -r "$(OCI_REVISION)" -s "$(OCI_SOURCE)" -t $(SOURCE_DATE_EPOCH) \
		-T "$(VERSION)" >$(OCI_DIR).digest && sed 's/^/          /' $(OCI_DIR).digest

CHECK_DEPS += $(OCI)

.PHONY: oci
oci: $(OCI)
