# The DevTools trace engine from npm, the headless consumer that
# tests/host/timeline.t loads timeline's Chrome trace export with; cached
# under build/node, pinned here (its own two dependencies float: npm
# resolves them when the cache is first filled).  Without network the
# install fails soft and the test says it skipped.
TRACE_ENGINE_VER := 0.0.65
TRACE_ENGINE     := $(B)/node/.stamp-trace_engine-$(TRACE_ENGINE_VER)
$(TRACE_ENGINE): | $(TOOLS_STAMP)
	@echo "  NPM     @paulirish/trace_engine@$(TRACE_ENGINE_VER)"
	@mkdir -p $(B)/node
	@if npm install --no-audit --no-fund --prefix $(B)/node \
		@paulirish/trace_engine@$(TRACE_ENGINE_VER) >$(B)/node/npm.log 2>&1; then \
		touch $@; \
	else \
		echo "  NPM     failed (see $(B)/node/npm.log): timeline.t skips the export check"; \
	fi
.PHONY: trace-engine
trace-engine: $(TRACE_ENGINE)
CHECK_DEPS += $(TRACE_ENGINE)
