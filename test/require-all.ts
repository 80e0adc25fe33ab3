// The one rule for tests that cannot run here for want of a tool, a device or a privilege:
// they skip, saying why, on a developer's machine; under NETCH_REQUIRE_ALL=1 (set by
// .ci/run, which installs everything) they fail instead, naming what was missing, so CI
// cannot go green by skipping.

/** Whether every test must run (NETCH_REQUIRE_ALL=1). */
export function requireAll(): boolean {
  return process.env['NETCH_REQUIRE_ALL'] === '1';
}

/**
 * Skip test `t` because `why` (a missing tool, device or privilege), or throw when
 * NETCH_REQUIRE_ALL=1, which fails the test with `why` in its message.
 */
export function skipOrFail(t: { skip(message?: string): void }, why: string): void {
  if (requireAll()) throw new Error(`NETCH_REQUIRE_ALL=1, and this test cannot run: ${why}`);
  t.skip(why);
}

/**
 * A part of test `t` cannot run because `why` (the rest of the test ran): say so in the
 * test's output, or throw under NETCH_REQUIRE_ALL=1.
 */
export function partSkippedOrFail(t: { diagnostic(message: string): void }, why: string): void {
  if (requireAll()) throw new Error(`NETCH_REQUIRE_ALL=1, and part of this test cannot run: ${why}`);
  t.diagnostic(`skipped: ${why}`);
}
