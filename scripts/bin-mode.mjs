#!/usr/bin/env node
// Make the package's bin files executable after tsc wrote them (tsc writes 0644). npm sets
// the mode when it links a bin, but `npx netch` reuses a link it made earlier for the same
// path, so a re-cloned checkout would otherwise run into "Permission denied".
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const file of Object.values(pkg.bin ?? {})) chmodSync(new URL(`../${file}`, import.meta.url), 0o755);
