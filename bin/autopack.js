#!/usr/bin/env node
// The `autopack` executable: runs the bundled CLI (npm's `prepare` builds lib/ on install).
import '../lib/autopack.mjs';
