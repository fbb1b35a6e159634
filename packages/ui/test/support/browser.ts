import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (installed by apt, see .ci/run); playwright-core downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * Headless Chromium. `launch()` gives every run a fresh temporary profile (user-data-dir), removed on close;
 * the flags keep it off the network except for 127.0.0.1 (no updates, sync, QUIC probes or first-run pages).
 */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** The page is no wider than the viewport (nothing to scroll sideways). */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Form controls without an accessible name (no label, aria-label or aria-labelledby), by id or tag. */
export const unlabelledControls = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('input, select, textarea')]
      .filter(
        (el) =>
          (el.labels?.length ?? 0) === 0 &&
          !el.getAttribute('aria-label') &&
          !el.getAttribute('aria-labelledby'),
      )
      .map((el) => el.id || el.outerHTML.slice(0, 80)),
  );

/** Presses Tab up to `max` times and returns the accessible text of everything that took the focus. */
export async function tabStops(page: Page, max = 40): Promise<string[]> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) {
          return '';
        }
        const label = (el as HTMLInputElement).labels?.[0]?.textContent ?? el.getAttribute('aria-label');
        return (label ?? el.textContent ?? '').trim();
      }),
    );
  }
  return stops;
}
