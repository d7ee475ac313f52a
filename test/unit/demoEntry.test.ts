/**
 * The demo entry (src/main.ts) loads the emulator by package name, typed by a
 * local interface so the product never imports it: the package must resolve
 * by that name and match that interface.
 */
import { describe, expect, it } from '@jest/globals';
import type { EmulatorPackage } from '../../src/main.js';

describe('demo entry', () => {
  it('resolves the emulator package by name, with what main.ts uses', async () => {
    const emulatorPackage = await import('wandb-emulator');
    const used: EmulatorPackage = emulatorPackage;
    expect(typeof used.startEmulator).toBe('function');
    expect(used.DEMO_API_KEY).toMatch(/^[0-9a-z]{40}$/);
  });
});
