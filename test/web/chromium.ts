// Debian's Chromium, driven by playwright-core (no browser download), for the
// tests of pages r2u writes. Absent, the tests skip with the reason printed;
// with R2U_REQUIRE_SYSTEM=1 they fail instead.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.R2U_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Prints why `what` is skipped when Chromium is absent (or throws under R2U_REQUIRE_SYSTEM=1). */
export function requireChromium(what: string): void {
  if (hasChromium) return;
  const why = `${what} needs Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.R2U_REQUIRE_SYSTEM === '1') throw new Error(`${why}; R2U_REQUIRE_SYSTEM=1 makes it required`);
  console.log(`skipping: ${why}`);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
